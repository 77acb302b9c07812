/** `contact-callback`: WeCom's contact-change callbacks to EventBridge (docs/events.md); bundled with its own dependencies. */
import { createContactCallbackHandler } from '@wecom-contact/layer/callback';

export const handler = createContactCallbackHandler();

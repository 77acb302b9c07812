/**
 * The contact callback's entry (`@wecom-contact/layer/callback`). Not part of the layer: the
 * `contact-callback` function bundles it with its own dependencies (the XML parser, the EventBridge and
 * DynamoDB clients), so that the 13 endpoint functions do not load them at every cold start
 * (docs/events.md, "Packaging").
 */
export {
  CALLBACK_ENV,
  type ContactCallbackHandler,
  type ContactCallbackOptions,
  createContactCallbackHandler,
} from './src/callback/handler.ts';

/** `user-update`: see its row in the operation table (shared/src/operations.ts); the logic lives in the layer. */
import { createOperationHandler } from '@wecom-contact/layer';

export const handler = createOperationHandler('user-update');

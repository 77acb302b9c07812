/** `doctor`: the operator's check of this stage from inside (docs/operations.md); the logic lives in the layer. */
import { createDoctorHandler } from '@wecom-contact/layer';

export const handler = createDoctorHandler();

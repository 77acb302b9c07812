/** `active-stat-report`: the daily active-member report (docs/architecture.md §7); the logic lives in the layer. */
import { createReportHandler } from '@wecom-contact/layer';

export const handler = createReportHandler();

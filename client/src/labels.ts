import type { ReportReason } from './api';

export const reasonLabels: Record<ReportReason, string> = {
  spam: 'Spam',
  nudity: 'Nudity',
  violence: 'Violence',
  harassment: 'Harassment',
  copyright: 'Copyright',
  other: 'Something else',
};

import type { FailureReason, ReportReason } from './api';

export const reasonLabels: Record<ReportReason, string> = {
  spam: 'Spam',
  nudity: 'Nudity',
  violence: 'Violence',
  harassment: 'Harassment',
  copyright: 'Copyright',
  depicts_me: "I'm in this photo and don't want it shared",
  wrong_group: "It doesn't belong in this group",
  other: 'Something else',
};

/** What a failed item's tile says: why, in words a member understands. */
export const failureLabels: Record<FailureReason, string> = {
  undecodable: 'Not a readable photo or video',
  too_large: 'Too large to show',
  too_long: 'Video too long',
  timeout: 'Took too long to process',
  original_missing: 'The file is missing',
  original_changed: 'The file was replaced',
  processing_failed: 'Could not be processed',
};

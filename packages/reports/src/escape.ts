// The reports' two escapers are the shared ones (packages/alerts/src/escape), tested there with the
// hostile corpus every output medium is tested with: escapeHtml for HTML and SVG, escapeMarkdown
// for Markdown. Re-exported so each renderer imports its one helper from here.
export { escapeHtml, escapeMarkdown } from '@denyscope/alerts';

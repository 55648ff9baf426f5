// Line icons as inline SVG (no icon font, no emoji: they render the same everywhere).
import { html } from './api.js';

const icon = (paths) => (props = {}) =>
  html`<svg class=${'icon ' + (props.class || '')} viewBox="0 0 24 24" width=${props.size || 20} height=${props.size || 20} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${paths}</svg>`;

export const InboxIcon = icon(html`<path d="M4 13h4l2 3h4l2-3h4" /><path d="M5 5h14l1 8v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1v-5z" />`);
export const TicketIcon = icon(html`<path d="M4 7a1 1 0 0 1 1-1h14a1 1 0 0 1 1 1v3a2 2 0 0 0 0 4v3a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1v-3a2 2 0 0 0 0-4z" /><path d="M14 6v12" stroke-dasharray="2 2" />`);
export const RulesIcon = icon(html`<path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0" /><circle cx="16" cy="6" r="2" /><circle cx="10" cy="12" r="2" /><circle cx="18" cy="18" r="2" />`);
export const BellIcon = icon(html`<path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15z" /><path d="M10 20a2 2 0 0 0 4 0" />`);
export const ParcelIcon = icon(html`<path d="M3 7.5 12 3l9 4.5v9L12 21l-9-4.5z" /><path d="M3 7.5 12 12l9-4.5M12 12v9" />`);
export const CannedIcon = icon(html`<path d="M5 5h14v10H9l-4 4z" /><path d="M9 9h6M9 12h4" />`);
// Insights
export const ReportsIcon = icon(html`<path d="M4 20V4M4 20h16" /><path d="M8 16v-4M12 16V8M16 16v-6" />`);
export const RootCauseIcon = icon(html`<circle cx="12" cy="5" r="2" /><circle cx="6" cy="19" r="2" /><circle cx="18" cy="19" r="2" /><path d="M12 7v5M12 12l-5 5M12 12l5 5" />`);
export const UsageIcon = icon(html`<path d="M4 16a8 8 0 1 1 16 0" /><path d="M12 16l4-5" /><path d="M4 20h16" />`);
export const HealthIcon = icon(html`<path d="M3 12h4l2-5 4 10 2-5h6" />`);
export const MissedIcon = icon(html`<circle cx="12" cy="12" r="9" /><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .8-1 1.5v.7M12 17h0" />`);
export const TranslateIcon = icon(html`<path d="M4 5h8M8 3v2M6 5c0 4 2 7 5 8M10 5c0 4-3 7-6 8" /><path d="M13 21l4-9 4 9M14.5 18h5" />`);

/** Text safe in HTML content and in quoted attribute values (Node-free: the explorer page uses it too). */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

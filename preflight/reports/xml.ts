/** Text made safe for an XML attribute or element (JUnit reports of the preflight and of verify). */
export const xml = (text: string) =>
    text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        // XML 1.0 cannot carry most control characters.
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

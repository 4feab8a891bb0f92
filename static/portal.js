// The header's "More" menu is a <details>: it works without this script; this only closes it
// on Escape (focus back on its summary) and on a click elsewhere, as a menu is expected to.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.nav-more[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.nav-more[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
// The bar marks the page you are on (a link to exactly this path).
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll("header.top nav a[href]")) {
    if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
  }
});
// A table wider than the screen scrolls inside its wrapper: the wrapper then takes the keyboard
// focus, so the arrow keys scroll it (WCAG 2.1.1; axe "scrollable-region-focusable").
function focusableScrollers() {
  for (const box of document.querySelectorAll(".table-scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      const caption = box.querySelector("table")?.getAttribute("aria-label") || box.previousElementSibling?.textContent;
      if (caption && caption.trim()) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption.trim().slice(0, 80));
      }
    } else {
      box.removeAttribute("tabindex");
    }
  }
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
window.addEventListener("resize", focusableScrollers);

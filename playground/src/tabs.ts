// Owns the panel tabs, as the WAI-ARIA tabs pattern has them: a `tablist` of `tab` buttons, each
// controlling one `tabpanel`; only the selected tab is in the Tab order, the arrow keys, Home and
// End move between tabs and select them.
export interface Tabs {
  /** Shows the panel of the tab with this id. */
  select(id: string): void;
  readonly selected: () => string;
}

export function setUpTabs(list: HTMLElement, onSelect: (id: string) => void): Tabs {
  const tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  let current = "";
  const select = (id: string, focus = false): void => {
    for (const tab of tabs) {
      const chosen = tab.id === id;
      tab.setAttribute("aria-selected", String(chosen));
      tab.tabIndex = chosen ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")!)!.hidden = !chosen;
      if (chosen && focus) tab.focus();
    }
    if (current !== id) {
      current = id;
      onSelect(id);
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab.id));
    tab.addEventListener("keydown", (event) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length]!.id, true);
    });
  });
  select(tabs.find((t) => t.getAttribute("aria-selected") === "true")?.id ?? tabs[0]!.id);
  return { select: (id) => select(id), selected: () => current };
}

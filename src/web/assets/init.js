// Progressive enhancement only: every page works without JavaScript.
import { initAll } from '/assets/govuk/govuk-frontend.min.js';

// GOV.UK Frontend marks a radio that reveals a conditional question with aria-expanded, a state
// ARIA does not allow on a radio (axe: aria-allowed-attr). The revealed question follows its radio
// directly, so nothing is lost by leaving the state off: remove it whenever it is set.
const isRadio = (node) => node instanceof HTMLInputElement && node.type === 'radio';
const stripExpanded = (node) => {
  if (isRadio(node) && node.hasAttribute('aria-expanded')) node.removeAttribute('aria-expanded');
};
new MutationObserver((changes) => {
  for (const change of changes) stripExpanded(change.target);
}).observe(document.documentElement, { subtree: true, attributeFilter: ['aria-expanded'] });

initAll();

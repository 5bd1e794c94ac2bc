// The API documentation page (src/api/views/docs.njk): Swagger UI draws the OpenAPI document from
// Safeshare's own assets, under the strict CSP. Without JavaScript the page still links to the document.

/**
 * Swagger UI's own layout, less what the page says already (the title and version) and with its
 * operations in a division: its layout puts them in a second <main> inside the page's main landmark.
 */
const safeshareLayout = (system) => {
  const h = system.React.createElement;
  const SafeshareLayout = ({ getComponent, specSelectors }) => {
    const status = specSelectors.loadingStatus();
    const Errors = getComponent('errors', true);
    if (status === 'loading')
      return h(
        'div',
        { className: 'swagger-ui' },
        h('div', { className: 'loading-container' }, h('div', { className: 'loading' })),
      );
    if (status === 'failed' || status === 'failedConfig')
      return h(
        'div',
        { className: 'swagger-ui' },
        h(
          'p',
          { className: 'govuk-body' },
          'The API document could not be shown here: download it from the link above.',
        ),
        h(Errors),
      );
    const Row = getComponent('Row');
    const Col = getComponent('Col');
    const whole = (child) => h(Row, null, h(Col, { mobile: 12, desktop: 12 }, child));
    return h(
      'div',
      { className: 'swagger-ui' },
      h(getComponent('SvgAssets')),
      h('h2', { className: 'govuk-heading-m' }, 'Operations'),
      h(Errors),
      h(
        'div',
        { className: 'scheme-container' },
        h(Col, { className: 'schemes wrapper', mobile: 12 }, h(getComponent('AuthorizeBtnContainer', true))),
      ),
      h(
        'div',
        { id: 'operations' },
        whole(h(getComponent('operations', true))),
        whole(h(getComponent('Models', true))),
      ),
    );
  };
  return { components: { SafeshareLayout } };
};

/**
 * Swagger UI's faults that a style cannot mend (axe checks the page in the end-to-end suite), put
 * right as it draws them.
 */
const repair = (root) => {
  // The dialog's close button is an icon with no name.
  for (const button of root.querySelectorAll('button.close-modal:not([aria-label])'))
    button.setAttribute('aria-label', 'Close');
  // "Authorize" and "Logout" are named "Apply credentials" and "Remove authorization": a spoken
  // command must match the words on the button (WCAG 2.5.3), so the words are their names.
  for (const button of root.querySelectorAll('.auth-btn-wrapper button[aria-label]'))
    button.removeAttribute('aria-label');
  // Each operation's table of answers is marked a region with no name, which hides it is a table.
  for (const table of root.querySelectorAll('table.responses-table[role="region"]'))
    table.removeAttribute('role');
  // The request body's box has no label.
  for (const box of root.querySelectorAll('textarea.body-param__text:not([aria-label])'))
    box.setAttribute('aria-label', 'Request body');
  // "Authorized" is a state, drawn as a heading two levels below the scheme's own.
  for (const state of root.querySelectorAll('.auth-container h6:not([role])'))
    state.setAttribute('role', 'none');
};

const root = document.getElementById('swagger-ui');
if (root !== null && typeof window.SwaggerUIBundle === 'function') {
  window.SwaggerUIBundle({
    url: root.dataset.document,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [safeshareLayout],
    layout: 'SafeshareLayout',
    // Links into the operations would sit inside each operation's button (axe: nested-interactive).
    deepLinking: false,
    // Each operation's x-safeshare-access and x-safeshare-scope: who may call it, and the scope its token needs.
    showExtensions: true,
    // The light theme: the default's dark one draws numbers at 3.5:1.
    syntaxHighlight: { activated: true, theme: 'idea' },
    // Never send the document to the public validator (it would leave Safeshare, and the CSP refuses it).
    validatorUrl: null,
    // A token pasted into Authorize lasts as long as the page: never kept in the browser's storage.
    persistAuthorization: false,
  });
  repair(root);
  new MutationObserver(() => repair(root)).observe(root, { subtree: true, childList: true });
}

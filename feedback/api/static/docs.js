// Starts Swagger UI on the API's own OpenAPI document. Kept in a file, not
// inline, so the page works under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var csrfToken = root.getAttribute("data-csrf-token");
  window.addEventListener("load", function () {
    window.ui = SwaggerUIBundle({
      url: root.getAttribute("data-spec-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null, // the default badge would call validator.swagger.io
      requestInterceptor: function (request) {
        // A logged-in user's session may write only with the CSRF token.
        if (csrfToken && !request.headers.Authorization) {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      }
    });
  });
})();

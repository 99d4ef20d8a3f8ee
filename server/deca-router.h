#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * DecaRouter: the table of the server's routes, matched by method and path pattern.
 *
 * A pattern is a path of segments: literal ones ("api", "v1", "flows"), parameters
 * ("{id}", a whole segment, never empty) and, as the last segment only, a rest parameter
 * ("{path*}", one or more segments, slashes kept: webhooks' paths). When several patterns
 * match a path, the most specific one wins, segment by segment from the left: a literal
 * before a parameter before a rest parameter (so /flows/search beats /flows/{id}).
 * A HEAD request is answered by the GET route of its path when there is no HEAD route.
 */

typedef struct _DecaRequest DecaRequest;

/* A route's handler. It answers through deca_request_respond_*() before it returns, or
 * defers with deca_request_defer() and answers later from the main loop. */
typedef void (*DecaRouteHandler) (DecaRequest *request,
                                  gpointer     user_data);

/**
 * DecaRouteFlags:
 * @DECA_ROUTE_NONE: an API route: authenticated, its body read as JSON
 * @DECA_ROUTE_PUBLIC: no authentication step (/health, /metrics, webhooks that check
 *   their own signature)
 * @DECA_ROUTE_RAW_BODY: the body is not parsed as JSON; the handler reads the bytes
 */
typedef enum {
  DECA_ROUTE_NONE = 0,
  DECA_ROUTE_PUBLIC = 1 << 0,
  DECA_ROUTE_RAW_BODY = 1 << 1,
} DecaRouteFlags;

/* A registered route; owned by its router. */
typedef struct _DecaRoute DecaRoute;

const char     *deca_route_get_method  (const DecaRoute *route);
const char     *deca_route_get_pattern (const DecaRoute *route);
DecaRouteFlags  deca_route_get_flags   (const DecaRoute *route);
/* What the caller must be allowed to do for this route: a mask the authentication step
 * reads (a DecaPermissions mask of deca-rbac.h: DECA_PERMISSION_READ_FLOWS | ...). 0, the
 * default, is "nothing in particular"; the authentication step decides what that means
 * for a route that is not public. */
guint64         deca_route_get_required_permissions (const DecaRoute *route);
void            deca_route_set_required_permissions (DecaRoute       *route,
                                                     guint64          permissions);
/* Calls the route's handler. */
void            deca_route_invoke      (const DecaRoute *route,
                                        DecaRequest     *request);

typedef enum {
  DECA_ROUTER_MATCH_FOUND,      /* a route for this method and path */
  DECA_ROUTER_MATCH_NO_PATH,    /* no pattern matches the path: 404 */
  DECA_ROUTER_MATCH_NO_METHOD,  /* patterns match, but for other methods: 405 */
} DecaRouterMatch;

#define DECA_TYPE_ROUTER (deca_router_get_type ())
G_DECLARE_FINAL_TYPE (DecaRouter, deca_router, DECA, ROUTER, GObject)

DecaRouter      *deca_router_new   (void);

/* Adds a route for @method ("GET", upper case) and @pattern. Returns (transfer none)
 * the route (owned by the router), or NULL with DECA_SERVER_ERROR_CONFIG when the pattern
 * is malformed (no leading slash, an empty segment, a bad parameter name, a name used
 * twice, a rest parameter not last) or the method and pattern are taken. @destroy frees
 * @user_data with the router. */
DecaRoute       *deca_router_add   (DecaRouter       *self,
                                    const char       *method,
                                    const char       *pattern,
                                    DecaRouteFlags    flags,
                                    DecaRouteHandler  handler,
                                    gpointer          user_data,
                                    GDestroyNotify    destroy,
                                    GError          **error);

/* Matches @method and @path. Returns the result; with DECA_ROUTER_MATCH_FOUND, @route
 * (transfer none) and @params (transfer full, name -> value, may be NULL to ignore) are
 * set; with DECA_ROUTER_MATCH_NO_METHOD, @allow (transfer full, nullable out) receives
 * the methods the path has, sorted, as an Allow header says them ("GET, POST"). */
DecaRouterMatch  deca_router_match (DecaRouter       *self,
                                    const char       *method,
                                    const char       *path,
                                    const DecaRoute **route,
                                    GHashTable      **params,
                                    char            **allow);

/* Called by deca_router_foreach_route() for each route. */
typedef void (*DecaRouteFunc) (const DecaRoute *route,
                               gpointer         user_data);

/* Calls @func for every route of @self, in the order they were added: what a test needs
 * to compare the server's routes with its OpenAPI document. The router must not change
 * meanwhile. */
void             deca_router_foreach_route (DecaRouter    *self,
                                            DecaRouteFunc  func,
                                            gpointer       user_data);

G_END_DECLS

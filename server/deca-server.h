#pragma once

#include <stdio.h>
#include <libsoup/soup.h>
#include <deca-store.h>

#include "deca-log.h"
#include "deca-metrics.h"
#include "deca-request.h"
#include "deca-router.h"
#include "deca-server-error.h"

G_BEGIN_DECLS

/*
 * DecaServer: the HTTP core of `deca serve` (docs/server.md): a SoupServer on one
 * listening address, the routes (DecaRouter), the store of its data directory
 * (DATA_DIR/deca.db), structured logs (DecaLog), metrics (DecaMetrics), body limits,
 * read timeouts against slow clients, and the built-in routes GET /health and
 * GET /metrics.
 *
 * Every request goes through: trace id, routing (404, 405 with Allow), the body limit
 * (413), the authentication step (deca_server_set_authenticator(): may refuse with
 * 401/403/429 before the body is read), JSON parsing of the body (400 with the position),
 * the handler; then one access log line and the request metrics.
 */

#define DECA_SERVER_DEFAULT_MAX_BODY    (1024 * 1024)
#define DECA_SERVER_DEFAULT_READ_TIMEOUT 30

typedef struct {
  const char   *data_dir;        /* required; created (0700) when missing */
  gsize         max_body_size;   /* 0: DECA_SERVER_DEFAULT_MAX_BODY */
  guint         read_timeout_s;  /* 0: DECA_SERVER_DEFAULT_READ_TIMEOUT */
  FILE         *log_stream;      /* NULL: stderr */
  DecaLogLevel  log_level;       /* DECA_LOG_INFO is 1; 0 logs debug lines too */
} DecaServerOptions;

/* The authentication step: runs after routing and before the body is read, for every
 * route without DECA_ROUTE_PUBLIC. Returns TRUE to let the request through (it may store
 * a principal with deca_request_set_principal()), or FALSE with @error
 * (DECA_SERVER_ERROR_UNAUTHENTICATED, _TOKEN, _FORBIDDEN, _RATE_LIMITED: the answer's
 * status follows the code; it may add headers such as Retry-After first). */
typedef gboolean (*DecaServerAuthFunc)   (DecaRequest  *request,
                                          gpointer      user_data,
                                          GError      **error);
/* A dependency check of GET /health: TRUE when usable, else FALSE with @error (its
 * message is shown). */
typedef gboolean (*DecaServerHealthFunc) (gpointer      user_data,
                                          GError      **error);

#define DECA_TYPE_SERVER (deca_server_get_type ())
G_DECLARE_FINAL_TYPE (DecaServer, deca_server, DECA, SERVER, GObject)

/* Returns (transfer full) where a server keeps its data when not told:
 * $XDG_DATA_HOME/deca-server. */
char        *deca_server_default_data_dir (void);
/* Returns (transfer full) the database of the data directory @data_dir. */
char        *deca_server_database_path   (const char               *data_dir);

/* Opens the store of @options->data_dir and sets up the built-in routes. Fails with
 * DECA_SERVER_ERROR_CONFIG when the directory cannot be made, and with the store's error
 * when the database cannot be opened. */
DecaServer  *deca_server_new             (const DecaServerOptions  *options,
                                          GError                  **error);

/* Listens on @address: "HOST:PORT" with an IPv4 address, "[V6]:PORT", or
 * "localhost:PORT"; port 0 picks a free one. "0.0.0.0" and "[::]" listen on every
 * interface. Fails with DECA_SERVER_ERROR_CONFIG for a malformed address and with the
 * socket's error (G_IO_ERROR_ADDRESS_IN_USE...) when it cannot listen. */
gboolean     deca_server_listen          (DecaServer   *self,
                                          const char   *address,
                                          GError      **error);
/* Parses a listening address as deca_server_listen() reads it. Returns (transfer full)
 * the address, or NULL with DECA_SERVER_ERROR_CONFIG. */
GSocketAddress *deca_server_parse_address (const char  *address,
                                           GError     **error);
/* Stops listening and closes every connection. */
void         deca_server_stop            (DecaServer   *self);
/* Stops cleanly (SIGTERM in `deca serve`): emits "stopping", so that open event streams
 * end with a last event and a complete answer (the terminating chunk), runs the thread-
 * default main context until their exchanges are over or @timeout_us passed, then
 * deca_server_stop(). Clients see a clean end and reconnect (EventSource does). */
void         deca_server_shutdown        (DecaServer   *self,
                                          gint64        timeout_us);
#define DECA_SERVER_DEFAULT_SHUTDOWN_TIMEOUT_US (5 * G_USEC_PER_SEC)
/* Returns (transfer full) (nullable) where it listens: "http://127.0.0.1:8080"
 * ("http://[::1]:8080"), NULL when not listening. */
char        *deca_server_get_uri         (DecaServer   *self);
guint16      deca_server_get_port        (DecaServer   *self);

/* Adds a route (see deca_router_add()). Returns (transfer none) the route, or NULL with
 * @error. */
DecaRoute   *deca_server_add_route       (DecaServer       *self,
                                          const char       *method,
                                          const char       *pattern,
                                          DecaRouteFlags    flags,
                                          DecaRouteHandler  handler,
                                          gpointer          user_data,
                                          GDestroyNotify    destroy,
                                          GError          **error);
/* Sets (or, with NULL, removes) the authentication step. */
void         deca_server_set_authenticator (DecaServer         *self,
                                            DecaServerAuthFunc  func,
                                            gpointer            user_data,
                                            GDestroyNotify      destroy);
/* Adds a dependency to GET /health under @name (the store's is "store"). */
void         deca_server_add_health_check  (DecaServer           *self,
                                            const char           *name,
                                            DecaServerHealthFunc  func,
                                            gpointer              user_data,
                                            GDestroyNotify        destroy);

DecaStore   *deca_server_get_store       (DecaServer   *self);
DecaRouter  *deca_server_get_router      (DecaServer   *self);
DecaLog     *deca_server_get_log         (DecaServer   *self);
DecaMetrics *deca_server_get_metrics     (DecaServer   *self);
gsize        deca_server_get_max_body_size (DecaServer *self);
const char  *deca_server_get_data_dir    (DecaServer   *self);

G_END_DECLS

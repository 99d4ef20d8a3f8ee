#pragma once

/* deca-server-test.h: the harness the server tests share.
 *
 *   - DecaServeProcess: the real `deca serve` ($DECA_BIN) in a temporary directory:
 *     `--init` for an owner key, started on a free loopback port (the test waits for its
 *     "Listening on" line), stopped with SIGTERM (its exit status) or SIGKILL, its stderr
 *     log read back.
 *   - DecaTestServer: a DecaServer in-process, on a thread of its own with its own main
 *     context (the store is used from the thread that opened it), with its data
 *     directory and JSON-lines log in a temporary directory. A setup function runs on
 *     that thread before it listens: workspaces and keys (deca_test_add_key()), the real
 *     authenticator, deca_api_register_all() or single route groups.
 *   - deca_test_call(): one HTTP request with SoupSession's synchronous API, its answer
 *     (status, headers, text, parsed JSON) held to the OpenAPI document
 *     (deca_openapi_assert_message()); deca_test_assert_error() for the error shape.
 *
 * Everything fails the test (g_assert, g_error) rather than returning an error.
 */

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include <deca-store.h>

#include "deca-api.h"
#include "deca-authenticator.h"
#include "deca-server.h"

G_BEGIN_DECLS

/* --- answers ------------------------------------------------------------------------ */

typedef struct {
  guint        status;
  JsonNode    *json;      /* NULL when the body is empty (or with DECA_TEST_CALL_RAW) */
  char        *text;      /* the body, NUL terminated ("" when empty) */
  gsize        length;    /* the body's length in bytes */
  SoupMessage *message;   /* the exchange: request and response headers */
} DecaTestAnswer;

void        deca_test_answer_clear  (DecaTestAnswer *answer);
/* (transfer none, nullable) the response header @name. */
const char *deca_test_answer_header (DecaTestAnswer *answer,
                                     const char     *name);
/* The JSON object of @answer (asserted to be one; owned by @answer). */
JsonObject *deca_test_answer_object (DecaTestAnswer *answer);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DecaTestAnswer, deca_test_answer_clear)

/* --- requests ----------------------------------------------------------------------- */

typedef enum {
  DECA_TEST_CALL_NONE = 0,
  /* Do not parse the body as JSON (an event stream, YAML, metrics text). */
  DECA_TEST_CALL_RAW = 1 << 0,
  /* Do not hold the answer to the OpenAPI document: a route the test added itself. */
  DECA_TEST_CALL_UNDOCUMENTED = 1 << 1,
} DecaTestCallFlags;

typedef struct {
  const char         *method;
  const char         *path;          /* appended to the base URI */
  const char         *key;           /* nullable: no Authorization; else "Bearer KEY" */
  const char         *body;          /* nullable: no body */
  gssize              body_length;   /* -1: strlen (body) */
  const char         *content_type;  /* NULL: application/json */
  const char * const *headers;       /* nullable: NULL-terminated name, value pairs */
  DecaTestCallFlags   flags;
} DecaTestRequest;

/* Sends @request to @base_uri (no trailing slash) on @session, waits for the answer,
 * asserts that it matches the OpenAPI document, and fills @answer (cleared first). */
void        deca_test_send          (SoupSession           *session,
                                     const char            *base_uri,
                                     const DecaTestRequest *request,
                                     DecaTestAnswer        *answer);
/* deca_test_send() of @method @path with @key (nullable) and a JSON @body (nullable);
 * returns the status. */
guint       deca_test_call          (SoupSession    *session,
                                     const char     *base_uri,
                                     const char     *key,
                                     const char     *method,
                                     const char     *path,
                                     const char     *body,
                                     DecaTestAnswer *answer);
/* deca_test_call() that fails the test (naming the request and the answer) unless the
 * status is @status; returns (transfer full, nullable) the parsed body. */
JsonNode   *deca_test_call_expect   (SoupSession *session,
                                     const char  *base_uri,
                                     const char  *key,
                                     const char  *method,
                                     const char  *path,
                                     const char  *body,
                                     guint        status);

/* Asserts that @json is the error shape {"error": {"code", "message", "details"}} and
 * nothing else, with @code; returns (transfer none) the "error" object. */
JsonObject *deca_test_assert_error  (JsonNode   *json,
                                     const char *code);
/* deca_test_assert_error() of @answer, whose status must be @status. */
JsonObject *deca_test_assert_answer_error (DecaTestAnswer *answer,
                                           guint           status,
                                           const char     *code);

/* --- `deca serve` as a process -------------------------------------------------------- */

typedef struct {
  char        *dir;          /* the temporary directory, removed by _free() */
  char        *data_dir;     /* dir/data, the server's --data-dir */
  char        *stderr_path;  /* dir/stderr.log: the server's log (every start appends) */
  char        *key;          /* the owner key of the first _init(), or NULL */
  char        *uri;          /* "http://127.0.0.1:PORT" while started, else NULL */
  GSubprocess *process;      /* while started */
  SoupSession *session;      /* a fresh one at each start */
  char       **env;          /* nullable: the environment from _setenv() */
} DecaServeProcess;

/* The path of `deca` ($DECA_BIN, asserted to be set). */
const char       *deca_serve_bin             (void);
/* A temporary directory named after @name ("deca-test-NAME-XXXXXX"); nothing runs yet. */
DecaServeProcess *deca_serve_process_new     (const char *name);
/* Force-stops a running server and removes the directory. */
void              deca_serve_process_free    (DecaServeProcess *self);
/* `deca serve --init [--workspace @workspace] --data-dir DATA`, which must exit 0 and
 * print a key; returns it (transfer full). The first call's key is also self->key. */
char             *deca_serve_process_init    (DecaServeProcess *self,
                                              const char       *workspace);
/* Sets @variable in the environment of the servers started after this call. */
void              deca_serve_process_setenv  (DecaServeProcess *self,
                                              const char       *variable,
                                              const char       *value);
/* Starts `deca serve --listen 127.0.0.1:0 --data-dir DATA` and the further arguments
 * (NULL terminated), with stderr appended to stderr_path, and waits for its first line,
 * which must be "Listening on http://127.0.0.1:PORT". */
void              deca_serve_process_start   (DecaServeProcess *self,
                                              const char       *first_argument,
                                              ...) G_GNUC_NULL_TERMINATED;
void              deca_serve_process_startv  (DecaServeProcess   *self,
                                              const char * const *arguments);
/* SIGTERM, then waits for the process; returns its exit status, or -1 when a signal
 * ended it. */
int               deca_serve_process_stop    (DecaServeProcess *self);
/* SIGKILL, then waits for the process, which must have been ended by it. */
void              deca_serve_process_kill    (DecaServeProcess *self);
/* (transfer full) the text of stderr_path ("" when there is none yet). */
char             *deca_serve_process_read_log (DecaServeProcess *self);
/* deca_test_call() on the running server. */
guint             deca_serve_process_call    (DecaServeProcess *self,
                                              const char       *key,
                                              const char       *method,
                                              const char       *path,
                                              const char       *body,
                                              DecaTestAnswer   *answer);

/* deca_serve_process_call() with the owner key (self->key); returns the status and, in
 * *@out (nullable; transfer full, NULL for an empty body), the parsed answer. */
guint             deca_serve_process_call_json (DecaServeProcess *self,
                                                const char       *method,
                                                const char       *path,
                                                const char       *body,
                                                JsonNode        **out);

/* deca_test_call_expect() on the running server with the owner key: fails the test
 * unless the status is @status; returns (transfer full, nullable) the parsed answer. */
JsonNode         *deca_serve_process_expect  (DecaServeProcess *self,
                                              const char       *method,
                                              const char       *path,
                                              const char       *body,
                                              guint             status);

/* --- an in-process server ----------------------------------------------------------- */

typedef struct _DecaTestServer DecaTestServer;

/* Runs on the server's thread, with its thread-default main context pushed. */
typedef void (*DecaTestServerFunc) (DecaTestServer *self,
                                    DecaServer     *server,
                                    gpointer        user_data);

/* Runs on the test's thread, before the server starts. */
typedef void (*DecaTestServerPrepareFunc) (DecaTestServer *self,
                                           gpointer        user_data);

typedef struct {
  /* What deca_server_new() gets besides the data directory and the log stream, which
   * the fixture sets. */
  gsize              max_body_size;
  guint              read_timeout_s;
  DecaLogLevel       log_level;
  /* nullable: runs once the data directory exists (made, 0700), before the server
   * opens it: to seed the database through a store of the test's own. */
  DecaTestServerPrepareFunc prepare;
  /* nullable: runs after the server is made, before it listens (routes, workspaces,
   * keys, an authenticator). */
  DecaTestServerFunc setup;
  /* nullable: runs when the test ends, once the fixture's DecaApi and the server have
   * stopped and the main context is idle, before the server is finalized. */
  DecaTestServerFunc teardown;
  gpointer           user_data;
  /* nullable (taken): the test thread's session; NULL makes a plain one. */
  SoupSession       *session;
} DecaTestServerOptions;

struct _DecaTestServer {
  char         *dir;         /* the temporary directory, removed by _free() */
  char         *data_dir;    /* dir/data */
  char         *db_path;     /* dir/data/deca.db */
  char         *log_path;    /* dir/log.jsonl, the server's log */
  char         *uri;         /* "http://127.0.0.1:PORT" */
  guint16       port;
  SoupSession  *session;     /* the test thread's */
  /* Used on the server thread only. */
  DecaServer        *server;
  DecaApi           *api;            /* from deca_test_server_register_all() */
  DecaAuthenticator *authenticator;  /* from deca_test_server_install_authenticator() */

  /*< private >*/
  DecaTestServerOptions options;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  FILE         *log_stream;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
};

/* Makes the directory, starts the server thread and waits until it listens on a free
 * loopback port. @options is copied (nullable: all defaults). */
DecaTestServer    *deca_test_server_new      (const char                  *name,
                                              const DecaTestServerOptions *options);
/* Asserts the session is finalized, deca_test_server_stop() (the server must then be
 * finalized), removes the directory. */
void               deca_test_server_free     (DecaTestServer *self);
/* Stops the DecaApi and the server, runs the teardown function and ends the server
 * thread (its log is then complete; the directory stays until _free()). Safe to call
 * twice. */
void               deca_test_server_stop     (DecaTestServer *self);
/* Starts the server again on the same directory, stopping it first when it runs: a
 * new server thread and main context, the setup function again (it finds what the
 * last one stored), a new port (uri and port change). */
void               deca_test_server_restart  (DecaTestServer *self);
/* Runs @func (@user_data) on the server's thread and returns when it has (its return
 * value is not looked at). */
void               deca_test_server_invoke   (DecaTestServer *self,
                                              GSourceFunc     func,
                                              gpointer        user_data);
/* On the server thread (in setup): the real DecaAuthenticator, installed; returns it
 * (transfer none, kept by @self until the server stops). */
DecaAuthenticator *deca_test_server_install_authenticator (DecaTestServer *self);
/* On the server thread (in setup): deca_api_register_all() with @options (nullable);
 * returns (transfer none) the DecaApi, which @self stops and drops when the test ends. */
DecaApi           *deca_test_server_register_all (DecaTestServer       *self,
                                                  const DecaApiOptions *options);
/* deca_test_call() on the server. */
guint              deca_test_server_call     (DecaTestServer *self,
                                              const char     *key,
                                              const char     *method,
                                              const char     *path,
                                              const char     *body,
                                              DecaTestAnswer *answer);

/* On the server thread (in setup): a test authenticator instead of the real one, for
 * tests of the routes' own checks: "Authorization: Bearer WORKSPACE:ROLE" is a token
 * principal named "tester" of that workspace with that one role; anything else is
 * refused as unauthenticated. It checks no permission itself. */
void               deca_test_install_role_authenticator (DecaServer *server);
/* The same, which also refuses (forbidden, "not allowed") a request whose required
 * permissions the role does not have, as the real authenticator does. */
void               deca_test_install_checking_role_authenticator (DecaServer *server);

/* A new API key of @workspace_id named @name with @role and @scopes (nullable: the
 * role's), stored in @store; returns (transfer full) its text. */
char              *deca_test_add_key_full    (DecaStore  *store,
                                              const char *workspace_id,
                                              const char *name,
                                              const char *role,
                                              const char *scopes);
/* deca_test_add_key_full() named after its role, without scopes. */
char              *deca_test_add_key         (DecaStore  *store,
                                              const char *workspace_id,
                                              const char *role);

G_END_DECLS

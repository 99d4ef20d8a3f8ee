/* deca-server-test.c: the harness the server tests share (see deca-server-test.h). */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include <deca-store-server.h>

#include "deca-api-key.h"
#include "deca-openapi.h"
#include "deca-principal.h"
#include "deca-rbac.h"
#include "deca-server-test.h"
#include "deca-test-fs.h"

/* --- answers ------------------------------------------------------------------------ */

void
deca_test_answer_clear (DecaTestAnswer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_clear_pointer (&answer->text, g_free);
  g_clear_object (&answer->message);
  answer->status = 0;
  answer->length = 0;
}

const char *
deca_test_answer_header (DecaTestAnswer *answer,
                         const char     *name)
{
  g_assert_nonnull (answer->message);
  return soup_message_headers_get_one (soup_message_get_response_headers (answer->message), name);
}

JsonObject *
deca_test_answer_object (DecaTestAnswer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

/* --- requests ----------------------------------------------------------------------- */

void
deca_test_send (SoupSession           *session,
                const char            *base_uri,
                const DecaTestRequest *request,
                DecaTestAnswer        *answer)
{
  g_autofree char *uri = g_strconcat (base_uri, request->path, NULL);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *data;

  deca_test_answer_clear (answer);
  answer->message = soup_message_new (request->method, uri);
  g_assert_nonnull (answer->message);
  headers = soup_message_get_request_headers (answer->message);
  if (request->key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", request->key, NULL);

      soup_message_headers_append (headers, "Authorization", authorization);
    }
  for (guint i = 0; request->headers != NULL && request->headers[i] != NULL; i += 2)
    soup_message_headers_append (headers, request->headers[i], request->headers[i + 1]);
  if (request->body != NULL)
    {
      gsize length = request->body_length < 0 ? strlen (request->body) : (gsize) request->body_length;
      g_autoptr(GBytes) bytes = g_bytes_new (request->body, length);

      soup_message_set_request_body_from_bytes (answer->message,
                                                request->content_type != NULL ? request->content_type
                                                                              : "application/json",
                                                bytes);
    }
  response = soup_session_send_and_read (session, answer->message, NULL, &error);
  g_assert_no_error (error);
  if ((request->flags & DECA_TEST_CALL_UNDOCUMENTED) == 0)
    deca_openapi_assert_message (answer->message, response);
  answer->status = soup_message_get_status (answer->message);
  data = g_bytes_get_data (response, &answer->length);
  /* The bytes end where the body does, not with a NUL. */
  answer->text = g_strndup (data != NULL ? data : "", answer->length);
  if (answer->length > 0 && (request->flags & DECA_TEST_CALL_RAW) == 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      json_parser_load_from_data (parser, answer->text, answer->length, &error);
      g_assert_no_error (error);
      answer->json = json_node_ref (json_parser_get_root (parser));
    }
}

guint
deca_test_call (SoupSession    *session,
                const char     *base_uri,
                const char     *key,
                const char     *method,
                const char     *path,
                const char     *body,
                DecaTestAnswer *answer)
{
  DecaTestRequest request = { 0 };

  request.method = method;
  request.path = path;
  request.key = key;
  request.body = body;
  request.body_length = -1;
  deca_test_send (session, base_uri, &request, answer);
  return answer->status;
}

JsonNode *
deca_test_call_expect (SoupSession *session,
                       const char  *base_uri,
                       const char  *key,
                       const char  *method,
                       const char  *path,
                       const char  *body,
                       guint        status)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  if (deca_test_call (session, base_uri, key, method, path, body, &answer) != status)
    g_error ("%s %s: %u %s", method, path, answer.status, answer.text);
  return g_steal_pointer (&answer.json);
}

JsonObject *
deca_test_assert_error (JsonNode   *json,
                        const char *code)
{
  JsonObject *root, *error;

  g_assert_nonnull (json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
  root = json_node_get_object (json);
  g_assert_cmpuint (json_object_get_size (root), ==, 1);
  error = json_object_get_object_member (root, "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  g_assert_true (json_object_has_member (error, "details"));
  return error;
}

JsonObject *
deca_test_assert_answer_error (DecaTestAnswer *answer,
                               guint           status,
                               const char     *code)
{
  g_assert_cmpuint (answer->status, ==, status);
  return deca_test_assert_error (answer->json, code);
}

/* --- `deca serve` as a process -------------------------------------------------------- */

const char *
deca_serve_bin (void)
{
  const char *bin = g_getenv ("DECA_BIN");

  g_assert_nonnull (bin);
  return bin;
}

DecaServeProcess *
deca_serve_process_new (const char *name)
{
  DecaServeProcess *self = g_new0 (DecaServeProcess, 1);
  g_autofree char *template = g_strdup_printf ("deca-test-%s-XXXXXX", name);
  g_autoptr(GError) error = NULL;

  self->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  self->data_dir = g_build_filename (self->dir, "data", NULL);
  self->stderr_path = g_build_filename (self->dir, "stderr.log", NULL);
  return self;
}

void
deca_serve_process_free (DecaServeProcess *self)
{
  if (self == NULL)
    return;
  if (self->process != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->env, g_strfreev);
  deca_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->data_dir);
  g_free (self->stderr_path);
  g_free (self->key);
  g_free (self->uri);
  g_free (self);
}

char *
deca_serve_process_init (DecaServeProcess *self,
                         const char       *workspace)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) init = NULL;
  g_autofree char *out = NULL;

  if (workspace != NULL)
    init = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             deca_serve_bin (), "serve", "--init", "--workspace", workspace,
                             "--data-dir", self->data_dir, NULL);
  else
    init = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             deca_serve_bin (), "serve", "--init", "--data-dir", self->data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (init, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (init), ==, 0);
  g_assert_nonnull (out);
  g_strstrip (out);
  g_assert_true (g_str_has_prefix (out, "deca_"));
  if (self->key == NULL)
    self->key = g_strdup (out);
  return g_steal_pointer (&out);
}

void
deca_serve_process_setenv (DecaServeProcess *self,
                           const char       *variable,
                           const char       *value)
{
  self->env = g_environ_setenv (self->env != NULL ? self->env : g_get_environ (), variable, value, TRUE);
}

void
deca_serve_process_start (DecaServeProcess *self,
                          const char       *first_argument,
                          ...)
{
  g_autoptr(GPtrArray) arguments = g_ptr_array_new ();
  va_list args;

  va_start (args, first_argument);
  for (const char *argument = first_argument; argument != NULL; argument = va_arg (args, const char *))
    g_ptr_array_add (arguments, (gpointer) argument);
  va_end (args);
  g_ptr_array_add (arguments, NULL);
  deca_serve_process_startv (self, (const char * const *) arguments->pdata);
}

/* A test that fails aborts: its server must not outlive it (a killed test used to leave
 * `deca serve` processes running). Runs in the child between fork and exec. */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
deca_serve_process_startv (DecaServeProcess   *self,
                           const char * const *arguments)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int log_fd;

  g_assert_null (self->process);
  g_ptr_array_add (argv, (gpointer) deca_serve_bin ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, self->data_dir);
  for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  if (self->env != NULL)
    g_subprocess_launcher_set_environ (launcher, self->env);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  /* Appended to, so that the log of a server started again follows the first one's
   * (a stderr file path would be written over from its start, without truncating). */
  log_fd = g_open (self->stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));
  g_free (self->uri);
  self->uri = g_strdup (line + strlen ("Listening on "));
  /* A fresh session: an old one's connections went with the last process. */
  g_clear_object (&self->session);
  self->session = soup_session_new ();
}

int
deca_serve_process_stop (DecaServeProcess *self)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (self->process);
  g_subprocess_send_signal (self->process, SIGTERM);
  g_assert_true (g_subprocess_wait (self->process, NULL, &error));
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (self->process) ? g_subprocess_get_exit_status (self->process) : -1;
  g_clear_object (&self->process);
  g_clear_pointer (&self->uri, g_free);
  return status;
}

void
deca_serve_process_kill (DecaServeProcess *self)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (self->process);
  g_subprocess_send_signal (self->process, SIGKILL);
  g_subprocess_wait (self->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (self->process));
  g_assert_cmpint (g_subprocess_get_term_sig (self->process), ==, SIGKILL);
  g_clear_object (&self->process);
  g_clear_pointer (&self->uri, g_free);
}

char *
deca_serve_process_read_log (DecaServeProcess *self)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (self->stderr_path, &text, NULL, &error))
    {
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      return g_strdup ("");
    }
  return text;
}

guint
deca_serve_process_call (DecaServeProcess *self,
                         const char       *key,
                         const char       *method,
                         const char       *path,
                         const char       *body,
                         DecaTestAnswer   *answer)
{
  g_assert_nonnull (self->uri);
  return deca_test_call (self->session, self->uri, key, method, path, body, answer);
}

guint
deca_serve_process_call_json (DecaServeProcess *self,
                              const char       *method,
                              const char       *path,
                              const char       *body,
                              JsonNode        **out)
{
  g_auto(DecaTestAnswer) answer = { 0 };

  deca_serve_process_call (self, self->key, method, path, body, &answer);
  if (out != NULL)
    *out = g_steal_pointer (&answer.json);
  return answer.status;
}

JsonNode *
deca_serve_process_expect (DecaServeProcess *self,
                           const char       *method,
                           const char       *path,
                           const char       *body,
                           guint             status)
{
  g_assert_nonnull (self->uri);
  return deca_test_call_expect (self->session, self->uri, self->key, method, path, body, status);
}

/* --- an in-process server ----------------------------------------------------------- */

static gpointer
server_thread (gpointer data)
{
  DecaTestServer *self = data;
  g_autoptr(GError) error = NULL;
  DecaServerOptions options = { 0 };

  g_main_context_push_thread_default (self->context);
  self->log_stream = fopen (self->log_path, "a");
  g_assert_nonnull (self->log_stream);
  options.data_dir = self->data_dir;
  options.log_stream = self->log_stream;
  options.max_body_size = self->options.max_body_size;
  options.read_timeout_s = self->options.read_timeout_s;
  options.log_level = self->options.log_level;
  self->server = deca_server_new (&options, &error);
  g_assert_no_error (error);
  if (self->options.setup != NULL)
    self->options.setup (self, self->server, self->options.user_data);
  g_assert_true (deca_server_listen (self->server, "127.0.0.1:0", &error));
  g_assert_no_error (error);

  g_mutex_lock (&self->lock);
  self->uri = deca_server_get_uri (self->server);
  self->port = deca_server_get_port (self->server);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  if (self->api != NULL)
    deca_api_stop (self->api);
  deca_server_stop (self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  if (self->options.teardown != NULL)
    self->options.teardown (self, self->server, self->options.user_data);
  g_clear_object (&self->api);
  g_clear_object (&self->authenticator);
  g_assert_finalize_object (self->server);
  self->server = NULL;
  fclose (self->log_stream);
  self->log_stream = NULL;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Starts the server thread and waits until the server listens. */
static void
start_thread (DecaTestServer *self)
{
  g_assert_null (self->thread);
  self->ready = FALSE;
  self->thread = g_thread_new ("server", server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

DecaTestServer *
deca_test_server_new (const char                  *name,
                      const DecaTestServerOptions *options)
{
  DecaTestServer *self = g_new0 (DecaTestServer, 1);
  g_autofree char *template = g_strdup_printf ("deca-test-%s-XXXXXX", name);
  g_autoptr(GError) error = NULL;

  if (options != NULL)
    self->options = *options;
  self->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  self->data_dir = g_build_filename (self->dir, "data", NULL);
  self->db_path = g_build_filename (self->data_dir, "deca.db", NULL);
  self->log_path = g_build_filename (self->dir, "log.jsonl", NULL);
  if (self->options.prepare != NULL)
    {
      g_assert_cmpint (g_mkdir (self->data_dir, 0700), ==, 0);
      self->options.prepare (self, self->options.user_data);
    }
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->session = self->options.session != NULL ? self->options.session : soup_session_new ();
  self->options.session = NULL;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  start_thread (self);
  return self;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
deca_test_server_stop (DecaTestServer *self)
{
  if (self->thread == NULL)
    return;
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
}

void
deca_test_server_restart (DecaTestServer *self)
{
  deca_test_server_stop (self);
  g_clear_pointer (&self->uri, g_free);
  self->port = 0;
  /* A fresh main context: whatever the last server left attached to its own is never
   * dispatched. */
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  start_thread (self);
}

void
deca_test_server_free (DecaTestServer *self)
{
  if (self == NULL)
    return;
  g_assert_finalize_object (self->session);
  deca_test_server_stop (self);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  deca_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->data_dir);
  g_free (self->db_path);
  g_free (self->log_path);
  g_free (self->uri);
  g_free (self);
}

typedef struct {
  DecaTestServer *self;
  GSourceFunc     func;
  gpointer        user_data;
  gboolean        done;
} Invocation;

static gboolean
invoke_cb (gpointer data)
{
  Invocation *invocation = data;

  invocation->func (invocation->user_data);
  g_mutex_lock (&invocation->self->lock);
  invocation->done = TRUE;
  g_cond_broadcast (&invocation->self->cond);
  g_mutex_unlock (&invocation->self->lock);
  return G_SOURCE_REMOVE;
}

void
deca_test_server_invoke (DecaTestServer *self,
                         GSourceFunc     func,
                         gpointer        user_data)
{
  Invocation invocation = { self, func, user_data, FALSE };

  g_main_context_invoke (self->context, invoke_cb, &invocation);
  g_mutex_lock (&self->lock);
  while (!invocation.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

DecaAuthenticator *
deca_test_server_install_authenticator (DecaTestServer *self)
{
  g_assert_null (self->authenticator);
  self->authenticator = deca_authenticator_new ();
  deca_authenticator_install (self->authenticator, self->server);
  return self->authenticator;
}

DecaApi *
deca_test_server_register_all (DecaTestServer       *self,
                               const DecaApiOptions *options)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (self->api);
  self->api = deca_api_register_all (self->server, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self->api);
  return self->api;
}

guint
deca_test_server_call (DecaTestServer *self,
                       const char     *key,
                       const char     *method,
                       const char     *path,
                       const char     *body,
                       DecaTestAnswer *answer)
{
  return deca_test_call (self->session, self->uri, key, method, path, body, answer);
}

static gboolean
role_authenticate_cb (DecaRequest  *request,
                      gpointer      user_data,
                      GError      **error)
{
  const char *authorization = deca_request_get_header (request, "Authorization");
  g_auto(GStrv) parts = NULL;
  DecaPrincipal *principal;

  if (authorization == NULL || !g_str_has_prefix (authorization, "Bearer ")
      || g_strv_length (parts = g_strsplit (authorization + 7, ":", 2)) != 2)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_UNAUTHENTICATED, "a bearer token is required");
      return FALSE;
    }
  principal = deca_principal_new (DECA_PRINCIPAL_TOKEN, "tester");
  principal->workspace_id = g_strdup (parts[0]);
  g_strfreev (principal->roles);
  principal->roles = g_new0 (char *, 2);
  principal->roles[0] = g_strdup (parts[1]);
  if (GPOINTER_TO_INT (user_data)
      && (deca_request_get_required_permissions (request) & ~(guint64) deca_rbac_principal_permissions (principal)) != 0)
    {
      deca_principal_free (principal);
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_FORBIDDEN, "not allowed");
      return FALSE;
    }
  deca_request_set_principal (request, principal, (GDestroyNotify) deca_principal_free);
  return TRUE;
}

void
deca_test_install_role_authenticator (DecaServer *server)
{
  deca_server_set_authenticator (server, role_authenticate_cb, GINT_TO_POINTER (FALSE), NULL);
}

void
deca_test_install_checking_role_authenticator (DecaServer *server)
{
  deca_server_set_authenticator (server, role_authenticate_cb, GINT_TO_POINTER (TRUE), NULL);
}

char *
deca_test_add_key (DecaStore  *store,
                   const char *workspace_id,
                   const char *role)
{
  return deca_test_add_key_full (store, workspace_id, role, role, NULL);
}

char *
deca_test_add_key_full (DecaStore  *store,
                        const char *workspace_id,
                        const char *name,
                        const char *role,
                        const char *scopes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaApiKey) key = deca_api_key_generate (&error);
  g_autofree char *hash = NULL;
  DecaApiKeyRecord record = { 0 };

  g_assert_no_error (error);
  hash = deca_api_key_hash (key);
  record.id = (char *) deca_api_key_get_id (key);
  record.workspace_id = (char *) workspace_id;
  record.name = (char *) name;
  record.role = (char *) role;
  record.scopes = (char *) scopes;
  record.secret_hash = hash;
  g_assert_true (deca_store_insert_api_key (store, &record, &error));
  g_assert_no_error (error);
  return g_strdup (deca_api_key_get_text (key));
}

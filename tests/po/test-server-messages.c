/* test-server-messages.c: the answers of the server core (deca-server.c, deca-request.c)
 * are whole sentences in the server's language, with real plurals, never an English
 * phrase inserted into a translated sentence. A DecaServer runs in-process on a thread of
 * its own, once per language and body limit (LANGUAGE is set before it starts, so that
 * no thread reads the environment while it changes); its 404, 405, 413, 500 and its
 * answers for bodies that are not JSON text are compared in English and with the German
 * catalogue of the build directory (C.UTF-8 and LANGUAGE, as test-translations.c). The
 * configuration errors of a listening address and a data directory too. */

#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "deca-engine-private.h"
#include "tests/po/deca-po-test.h"
#include "server/deca-server.h"

/* --- a server on a thread ------------------------------------------------------------ */

typedef struct {
  char *dir;
  gsize max_body;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;
  char *uri;
} Server;

static void
echo_cb (DecaRequest *request,
         gpointer     user_data)
{
  deca_request_respond (request, 200, "text/plain", "ok", 2);
}

/* An engine failure: answered 500 with the generic message, the real one only logged. */
static void
broken_cb (DecaRequest *request,
           gpointer     user_data)
{
  g_autoptr(GError) error = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_IO, "disk on fire");

  deca_request_respond_error (request, error, NULL);
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_build_filename (server->dir, "data", NULL);
  DecaServerOptions options = { 0 };
  DecaServer *self;
  FILE *log_stream = fopen ("/dev/null", "w");

  g_assert_nonnull (log_stream);
  g_main_context_push_thread_default (server->context);
  options.data_dir = data_dir;
  options.max_body_size = server->max_body;
  options.read_timeout_s = 5;
  options.log_stream = log_stream;
  options.log_level = DECA_LOG_ERROR;
  self = deca_server_new (&options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deca_server_add_route (self, "POST", "/echo", DECA_ROUTE_NONE, echo_cb, NULL, NULL, &error));
  g_assert_nonnull (deca_server_add_route (self, "GET", "/broken", DECA_ROUTE_NONE, broken_cb, NULL, NULL, &error));
  g_assert_true (deca_server_listen (self, "127.0.0.1:0", &error));
  g_assert_no_error (error);

  g_mutex_lock (&server->lock);
  server->uri = deca_server_get_uri (self);
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->lock);

  g_main_loop_run (server->loop);
  deca_server_stop (self);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_assert_finalize_object (self);
  fclose (log_stream);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static Server *
server_start (gsize max_body)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("deca-test-server-messages-XXXXXX", &error);
  g_assert_no_error (error);
  server->max_body = max_body;
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->thread = g_thread_new ("server", server_thread, server);
  g_mutex_lock (&server->lock);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);
  return server;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
server_stop (Server *server)
{
  g_main_context_invoke (server->context, quit_cb, server->loop);
  g_thread_join (server->thread);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->uri);
  g_free (server);
}

/* The error message of the answer to @method @path with @body (@length bytes, or none
 * when NULL), checked to have @status. */
static char *
message_of (Server     *server,
            const char *method,
            const char *path,
            const char *body,
            gsize       length,
            guint       status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (server->uri, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  response = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, status);
  data = g_bytes_get_data (response, &size);
  text = g_strndup (data, size);
  json = json_from_string (text, &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json),
                                                                                 "error"),
                                                  "message"));
}

/* --- the messages, in one language --------------------------------------------------- */

typedef struct {
  const char *no_resource;      /* GET /nothing */
  const char *method_prefix;    /* PUT /echo: the start, before the list of methods */
  const char *too_large_one;    /* a limit of 1 byte */
  const char *too_large_many;   /* a limit of 64 bytes */
  const char *nul_byte;         /* byte 6 is a NUL */
  const char *not_utf8;         /* byte 0 is not UTF-8 */
  const char *malformed_prefix; /* "{"a": }": the start, before json-glib's reason */
  const char *internal;         /* GET /broken */
  const char *bad_address;      /* deca_server_parse_address ("nowhere") */
  const char *data_dir_prefix;  /* a data directory under a file */
} ServerMessages;

static void
check_messages (const ServerMessages *expected)
{
  static const char nul_body[] = "{\"a\": \0}";
  static const char long_body[] = "{\"a\": 1, \"b\": \"a body of more than sixty-four bytes, without a doubt\"}";
  Server *server;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  /* A limit of one byte: the singular. */
  server = server_start (1);
  text = message_of (server, "POST", "/echo", "{}", 2, 413);
  g_assert_cmpstr (text, ==, expected->too_large_one);
  g_clear_pointer (&text, g_free);
  server_stop (server);

  server = server_start (64);
  text = message_of (server, "POST", "/echo", long_body, strlen (long_body), 413);
  g_assert_cmpstr (text, ==, expected->too_large_many);
  g_clear_pointer (&text, g_free);
  text = message_of (server, "GET", "/nothing", NULL, 0, 404);
  g_assert_cmpstr (text, ==, expected->no_resource);
  g_clear_pointer (&text, g_free);
  text = message_of (server, "PUT", "/echo", NULL, 0, 405);
  g_assert_true (g_str_has_prefix (text, expected->method_prefix));
  g_assert_nonnull (strstr (text, "POST"));
  g_clear_pointer (&text, g_free);
  text = message_of (server, "POST", "/echo", nul_body, sizeof nul_body - 1, 400);
  g_assert_cmpstr (text, ==, expected->nul_byte);
  g_clear_pointer (&text, g_free);
  text = message_of (server, "POST", "/echo", "\xff{}", 3, 400);
  g_assert_cmpstr (text, ==, expected->not_utf8);
  g_clear_pointer (&text, g_free);
  text = message_of (server, "POST", "/echo", "{\"a\": }", 7, 400);
  g_assert_true (g_str_has_prefix (text, expected->malformed_prefix));
  g_clear_pointer (&text, g_free);
  text = message_of (server, "GET", "/broken", NULL, 0, 500);
  g_assert_cmpstr (text, ==, expected->internal);
  g_clear_pointer (&text, g_free);
  server_stop (server);

  address = deca_server_parse_address ("nowhere", &error);
  g_assert_null (address);
  g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, expected->bad_address);
  g_clear_error (&error);

  /* A data directory that cannot be made: its parent is a file. */
  {
    g_autofree char *dir = g_dir_make_tmp ("deca-test-server-messages-XXXXXX", NULL);
    g_autofree char *file = g_build_filename (dir, "file", NULL);
    g_autofree char *data_dir = g_build_filename (file, "data", NULL);
    DecaServerOptions options = { 0 };
    DecaServer *server_object;

    g_assert_true (g_file_set_contents (file, "", 0, NULL));
    options.data_dir = data_dir;
    server_object = deca_server_new (&options, &error);
    g_assert_null (server_object);
    g_assert_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG);
    g_assert_true (g_str_has_prefix (error->message, expected->data_dir_prefix));
    g_assert_nonnull (strstr (error->message, data_dir));
    g_clear_error (&error);
    g_remove (file);
    g_rmdir (dir);
  }
}

static const ServerMessages english = {
  "No such resource: /nothing",
  "The method PUT is not allowed here; allowed: ",
  "The request body is larger than 1 byte",
  "The request body is larger than 64 bytes",
  "The body is not JSON text: byte 6 is a NUL byte",
  "The body is not JSON text: byte 0 is not valid UTF-8",
  "Malformed JSON at line 1, column ",
  "Internal server error",
  "“nowhere” is not a listening address (HOST:PORT with an IP address, [IPv6]:PORT or localhost:PORT)",
  "Cannot create the data directory ",
};

static const ServerMessages german = {
  "Es gibt keine solche Ressource: /nothing",
  "Die Methode PUT ist hier nicht erlaubt; erlaubt: ",
  "Der Anfrageinhalt ist größer als 1 Byte",
  "Der Anfrageinhalt ist größer als 64 Bytes",
  "Der Inhalt ist kein JSON-Text: Byte 6 ist ein NUL-Byte",
  "Der Inhalt ist kein JSON-Text: Byte 0 ist kein gültiges UTF-8",
  "Fehlerhaftes JSON in Zeile 1, Spalte ",
  "Interner Serverfehler",
  "„nowhere“ ist keine Adresse zum Lauschen (HOST:PORT mit einer IP-Adresse, [IPv6]:PORT oder localhost:PORT)",
  "Der Datenordner ",
};

static void
test_english (void)
{
  use_language (NULL);
  check_messages (&english);
}

static void
test_german (void)
{
  if (!have_german ())
    {
      g_test_skip ("the German catalogue is not in the build directory");
      return;
    }
  check_messages (&german);
  use_language (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/po/server-messages/english", test_english);
  g_test_add_func ("/deca/po/server-messages/german", test_german);
  return g_test_run ();
}

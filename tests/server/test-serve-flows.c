/* test-serve-flows.c: the real `deca serve` ($DECA_BIN) running flows through the API,
 * killed with SIGKILL while 100 executions run and started again on the same data
 * directory: every execution finishes, and no node that had completed before the kill
 * runs again (its stored result, with its start time and attempts, is the one from
 * before). Authenticates with the owner key `deca serve --init` prints. */

#include "config.h"

#include "deca-server-test.h"

#define N_EXECUTIONS 100

typedef struct {
  DecaServeProcess *serve;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->serve = deca_serve_process_new ("serve-flows");
  g_free (deca_serve_process_init (fixture->serve, NULL));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  deca_serve_process_free (fixture->serve);
}

/* Starts `deca serve` on a free loopback port. No rate limit worth the name: the test
 * sends a few hundred requests at once. */
static void
start_server (Fixture *fixture)
{
  deca_serve_process_start (fixture->serve, "--rate-limit", "100000", NULL);
}

/* Sends @method @path with the owner key and @body (nullable); returns the status and
 * *@out (transfer full, nullable) the parsed answer. */
static guint
call (Fixture     *fixture,
      const char  *method,
      const char  *path,
      const char  *body,
      JsonNode   **out)
{
  return deca_serve_process_call_json (fixture->serve, method, path, body, out);
}

static JsonObject *
get_execution (Fixture    *fixture,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/executions/%s", id);
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpuint (call (fixture, "GET", path, NULL, &body), ==, 200);
  return json_object_ref (json_node_get_object (body));
}

static JsonObject *
node_result (JsonObject *execution,
             const char *node_key)
{
  JsonArray *results = json_object_get_array_member (execution, "node_results");

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_str_equal (json_object_get_string_member (result, "node_key"), node_key))
        return result;
    }
  return NULL;
}

/* The first node has a result when its succeeded row is stored; the wait after it is then
 * running (the flow's wait is long enough that the kill comes while it runs). */
static gboolean
first_node_done (JsonObject *execution)
{
  JsonObject *first = node_result (execution, "first");

  return first != NULL && g_str_equal (json_object_get_string_member (first, "status"), "succeeded");
}

static void
test_sigkill_resume (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonNode) body = NULL;
  guint unfinished_at_kill = 0;

  start_server (fixture);
  g_assert_cmpuint (call (fixture, "POST", "/api/v1/flows",
                          "{\"id\": \"slow\", \"name\": \"Slow\", \"nodes\": ["
                          " {\"id\": \"first\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{input.n}}\"}}},"
                          " {\"id\": \"nap\", \"type\": \"wait\", \"config\": {\"duration\": 4}},"
                          " {\"id\": \"last\", \"type\": \"transform\", \"config\": {\"set\": {\"n\": \"{{first.n * 2}}\"}}}],"
                          " \"connections\": [{\"from\": \"first\", \"to\": \"nap\"}, {\"from\": \"nap\", \"to\": \"last\"}]}",
                          &body), ==, 201);
  g_clear_pointer (&body, json_node_unref);

  for (guint i = 0; i < N_EXECUTIONS; i++)
    {
      g_autofree char *input = g_strdup_printf ("{\"input\": {\"n\": %u}}", i);

      g_assert_cmpuint (call (fixture, "POST", "/api/v1/flows/slow/execute", input, &body), ==, 202);
      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_node_get_object (body), "id")));
      g_clear_pointer (&body, json_node_unref);
    }
  /* Each execution's first node is done (and stored) before the kill. */
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *execution = get_execution (fixture, g_ptr_array_index (ids, i));

      for (guint polls = 0; !first_node_done (execution); polls++)
        {
          g_assert_cmpuint (polls, <, 3000);
          json_object_unref (execution);
          g_usleep (10000);
          execution = get_execution (fixture, g_ptr_array_index (ids, i));
        }
      g_ptr_array_add (before, execution);
    }

  deca_serve_process_kill (fixture->serve);

  start_server (fixture);
  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *old = g_ptr_array_index (before, i);
      g_autoptr(JsonObject) execution = get_execution (fixture, g_ptr_array_index (ids, i));
      JsonObject *first_before = node_result (old, "first");
      JsonObject *first_after;

      if (!g_str_equal (json_object_get_string_member (old, "status"), "succeeded"))
        unfinished_at_kill++;
      for (guint polls = 0; g_str_equal (json_object_get_string_member (execution, "status"), "running") ||
                            g_str_equal (json_object_get_string_member (execution, "status"), "pending"); polls++)
        {
          /* Resumed executions finish within their wait; one that is never resumed
           * stays running. */
          g_assert_cmpuint (polls, <, 3000);
          g_clear_pointer (&execution, json_object_unref);
          g_usleep (20000);
          execution = get_execution (fixture, g_ptr_array_index (ids, i));
        }
      g_assert_cmpstr (json_object_get_string_member (execution, "status"), ==, "succeeded");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                         json_object_get_object_member (execution, "output"), "last"), "n"), ==, 2 * i);
      /* The node completed before the kill was not run again: the same stored run. */
      first_after = node_result (execution, "first");
      g_assert_nonnull (first_after);
      g_assert_cmpstr (json_object_get_string_member (first_after, "started_at"), ==,
                       json_object_get_string_member (first_before, "started_at"));
      g_assert_cmpstr (json_object_get_string_member (first_after, "finished_at"), ==,
                       json_object_get_string_member (first_before, "finished_at"));
      g_assert_cmpint (json_object_get_int_member (first_after, "attempts"), ==, 1);
    }
  /* The kill came while the executions ran (the wait lasts seconds): otherwise this
   * would test nothing. */
  g_assert_cmpuint (unfinished_at_kill, >, 0);

  /* None is left running. */
  g_assert_cmpuint (call (fixture, "GET", "/api/v1/executions?status=running", NULL, &body), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (body), "items")), ==,
                    0);
  g_clear_pointer (&body, json_node_unref);
  deca_serve_process_kill (fixture->serve);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/deca/serve-flows/sigkill-resume", Fixture, NULL, fixture_setup, test_sigkill_resume,
              fixture_teardown);

  return g_test_run ();
}

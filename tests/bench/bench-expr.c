/* bench-expr.c: cost of evaluating a typical connection condition
 *
 * Prints one line, "BENCH expr_eval_ns <median> ns": the median over 15 runs of the mean
 * time of deca_expr_evaluate_boolean on
 *   {{validate-input.success}} === true && {{input.amount}} > 100
 * with roots resolved through a GHashTable, as the executor's scope does.
 */

#include <stdio.h>
#include <stdlib.h>

#include "deca-expr.h"

#define N_RUNS 15
#define N_EVALUATIONS 200000

static JsonNode *
resolve_cb (const char *name,
            gpointer    user_data)
{
  return g_hash_table_lookup (user_data, name);
}

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json, -1, NULL))
    g_error ("bad JSON: %s", json);
  return json_parser_steal_root (parser);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GHashTable) roots = NULL;
  g_autoptr(DecaExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  DecaExprScope scope = { resolve_cb, NULL, 0 };
  double runs[N_RUNS];
  guint truths = 0;

  roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) json_node_unref);
  g_hash_table_insert (roots, g_strdup ("input"),
                       parse_json ("{\"amount\": 150, \"customer\": {\"name\": \"Ada\"}}"));
  g_hash_table_insert (roots, g_strdup ("validate-input"),
                       parse_json ("{\"success\": true, \"errors\": []}"));
  g_hash_table_insert (roots, g_strdup ("trigger"), parse_json ("{\"type\": \"webhook\"}"));
  scope.user_data = roots;

  expr = deca_expr_parse ("{{validate-input.success}} === true && {{input.amount}} > 100",
                          NULL, &error);
  if (expr == NULL)
    g_error ("%s", error->message);

  for (guint run = 0; run < N_RUNS; run++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < N_EVALUATIONS; i++)
        {
          gboolean result = FALSE;

          if (!deca_expr_evaluate_boolean (expr, &scope, &result, &error))
            g_error ("%s", error->message);
          truths += result;
        }
      runs[run] = (double) (g_get_monotonic_time () - start) * 1000.0 / N_EVALUATIONS;
    }

  /* The condition is true, so every evaluation must have said so. */
  if (truths != N_RUNS * N_EVALUATIONS)
    g_error ("wrong result");

  qsort (runs, N_RUNS, sizeof runs[0], compare_doubles);
  printf ("BENCH expr_eval_ns %.1f ns\n", runs[N_RUNS / 2]);
  return 0;
}

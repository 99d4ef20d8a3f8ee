/* fuzz-expr.c: libFuzzer target for the expression and template language
 *
 * Parses the input as an expression and as a template; whatever parses is evaluated in a
 * small scope (and its references collected), so the lexer, parser, evaluator and every
 * function see arbitrary input. Crashes, leaks and sanitizer reports are the findings.
 */

#include <stdint.h>
#include <string.h>

#include "deca-expr.h"

static JsonObject *scope_root;

static JsonNode *
resolve_cb (const char *name,
            gpointer    user_data)
{
  return json_object_get_member (user_data, name);
}

static void
ensure_scope (void)
{
  g_autoptr(JsonParser) parser = NULL;

  if (scope_root != NULL)
    return;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser,
                                   "{\"input\": {\"amount\": 150, \"name\": \"Ada\", \"ratio\": 0.5,"
                                   " \"tags\": [\"a\", \"b\", 3], \"customer\": {\"name\": \"G\","
                                   " \"email\": null}, \"nums\": [3, 1.5, -2]},"
                                   " \"validate-input\": {\"success\": true, \"errors\": []},"
                                   " \"step-2\": {\"output\": \"ok\"}, \"x\": 10, \"s\": \"hello\","
                                   " \"nothing\": null, \"big\": 9223372036854775807}",
                                   -1, NULL))
    abort ();
  scope_root = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  DecaExprScope scope = { resolve_cb, NULL, G_GINT64_CONSTANT (1700000000000000) };
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);
  g_autoptr(DecaExpr) expr = NULL;
  g_autoptr(DecaTemplate) tmpl = NULL;
  gsize offset = 0;

  ensure_scope ();
  scope.user_data = scope_root;

  expr = deca_expr_parse (text, &offset, NULL);
  if (expr != NULL)
    {
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;
      gboolean truth;

      result = deca_expr_evaluate (expr, &scope, &error);
      /* Exactly one of a result and an error. */
      if ((result == NULL) == (error == NULL))
        abort ();
      if (result != NULL)
        {
          g_autofree char *display = deca_json_to_display_string (result);

          if (display == NULL)
            abort ();
          (void) deca_json_is_truthy (result);
        }
      g_clear_error (&error);
      if (!deca_expr_evaluate_boolean (expr, &scope, &truth, &error) && error == NULL)
        abort ();
      deca_expr_collect_references (expr, refs);
      for (guint i = 0; i < refs->len; i++)
        {
          DecaExprReference *ref = refs->pdata[i];

          if (ref->offset >= size || strncmp (text + ref->offset, ref->root, strlen (ref->root)) != 0)
            abort ();
        }
    }
  else if (offset > strlen (text))
    abort ();

  offset = 0;
  tmpl = deca_template_parse (text, &offset, NULL);
  if (tmpl != NULL)
    {
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) error = NULL;

      result = deca_template_render (tmpl, &scope, &error);
      if ((result == NULL) == (error == NULL))
        abort ();
      if (deca_template_is_constant (tmpl) && (result == NULL || !JSON_NODE_HOLDS_VALUE (result)))
        abort ();
      g_ptr_array_set_size (refs, 0);
      deca_template_collect_references (tmpl, refs);
    }
  else if (offset > strlen (text))
    abort ();

  return 0;
}

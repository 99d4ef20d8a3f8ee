/* deca-template.c: text with {{ expr }} parts
 *
 * A template is parsed once into literal and expression parts. The expressions are parsed
 * by the expression parser directly inside the template text, so a "}}" inside a string
 * literal or an object literal does not end the part, and every offset (errors,
 * references) is relative to the template text.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expr-private.h"

#include <string.h>

typedef struct {
  char *literal;
  DecaExpr *expr;
} DecaTemplatePart;

struct _DecaTemplate {
  gint ref_count;
  /* Owned; the expression parts borrow it for their columns. */
  char *text;
  GArray *parts;
  guint n_exprs;
  /* Exactly one {{expr}} with only whitespace around it: rendering keeps the type. */
  gboolean single;
};

static void
part_clear (gpointer data)
{
  DecaTemplatePart *part = data;

  g_free (part->literal);
  g_clear_pointer (&part->expr, deca_expr_unref);
}

static void
add_literal (DecaTemplate *tmpl,
             GString      *literal)
{
  DecaTemplatePart part = { NULL, NULL };

  if (literal->len == 0)
    return;
  part.literal = g_strndup (literal->str, literal->len);
  g_array_append_val (tmpl->parts, part);
  g_string_truncate (literal, 0);
}

static gboolean
is_blank (const char *s)
{
  for (; *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

/* Parses @text. "\{{" is a literal "{{"; any other backslash is itself. On failure returns
 * NULL with @error ("column N: ...") and @error_offset into @text. */
DecaTemplate *
deca_template_parse (const char *text,
                     gsize      *error_offset,
                     GError    **error)
{
  g_autoptr(DecaTemplate) tmpl = NULL;
  g_autoptr(GString) literal = NULL;
  const char *bad = NULL;
  gsize len, i = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (!g_utf8_validate (text, (gssize) len, &bad))
    {
      _deca_expr_set_error (error, error_offset, text, (gsize) (bad - text),
                            DECA_ENGINE_ERROR_EXPRESSION, _("invalid UTF-8"));
      return NULL;
    }

  tmpl = g_new0 (DecaTemplate, 1);
  tmpl->ref_count = 1;
  tmpl->text = g_strdup (text);
  tmpl->parts = g_array_new (FALSE, FALSE, sizeof (DecaTemplatePart));
  g_array_set_clear_func (tmpl->parts, part_clear);
  literal = g_string_new (NULL);

  while (i < len)
    {
      const char *t = tmpl->text;

      if (t[i] == '\\' && t[i + 1] == '{' && t[i + 2] == '{')
        {
          g_string_append (literal, "{{");
          i += 3;
        }
      else if (t[i] == '{' && t[i + 1] == '{')
        {
          g_autoptr(GError) local_error = NULL;
          DecaTemplatePart part = { NULL, NULL };
          gsize end = 0, offset = 0;

          add_literal (tmpl, literal);
          part.expr = _deca_expr_parse_embedded (t, len, i + 2, &end, &offset, &local_error);
          if (part.expr == NULL)
            {
              /* A part that never closes is better reported where it opens. */
              if (offset >= len || strstr (t + i + 2, "}}") == NULL)
                _deca_expr_set_error (error, error_offset, t, i, DECA_ENGINE_ERROR_EXPRESSION,
                                      _("unterminated '{{'"));
              else
                {
                  if (error_offset != NULL)
                    *error_offset = offset;
                  g_propagate_error (error, g_steal_pointer (&local_error));
                }
              return NULL;
            }
          g_array_append_val (tmpl->parts, part);
          tmpl->n_exprs++;
          i = end;
        }
      else
        {
          g_string_append_c (literal, t[i]);
          i++;
        }
    }
  add_literal (tmpl, literal);

  if (tmpl->n_exprs == 1)
    {
      tmpl->single = TRUE;
      for (guint j = 0; j < tmpl->parts->len; j++)
        {
          DecaTemplatePart *part = &g_array_index (tmpl->parts, DecaTemplatePart, j);

          if (part->literal != NULL && !is_blank (part->literal))
            tmpl->single = FALSE;
        }
    }

  return g_steal_pointer (&tmpl);
}

DecaTemplate *
deca_template_ref (DecaTemplate *tmpl)
{
  g_return_val_if_fail (tmpl != NULL, NULL);

  g_atomic_int_inc (&tmpl->ref_count);
  return tmpl;
}

void
deca_template_unref (DecaTemplate *tmpl)
{
  if (tmpl == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&tmpl->ref_count))
    return;
  /* Parts first: they borrow the text. */
  g_clear_pointer (&tmpl->parts, g_array_unref);
  g_free (tmpl->text);
  g_free (tmpl);
}

gboolean
deca_template_is_constant (DecaTemplate *tmpl)
{
  g_return_val_if_fail (tmpl != NULL, FALSE);

  return tmpl->n_exprs == 0;
}

/* Renders @tmpl in @scope; see deca-expr.h for the typing rule. */
JsonNode *
deca_template_render (DecaTemplate        *tmpl,
                      const DecaExprScope *scope,
                      GError             **error)
{
  DecaEval eval;
  GString *out;
  JsonNode *result = NULL;

  g_return_val_if_fail (tmpl != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (tmpl->single)
    {
      for (guint i = 0; i < tmpl->parts->len; i++)
        {
          DecaTemplatePart *part = &g_array_index (tmpl->parts, DecaTemplatePart, i);

          if (part->expr != NULL)
            return deca_expr_evaluate (part->expr, scope, error);
        }
      g_assert_not_reached ();
    }

  _deca_eval_init (&eval, scope, error);
  out = g_string_new (NULL);
  for (guint i = 0; i < tmpl->parts->len; i++)
    {
      DecaTemplatePart *part = &g_array_index (tmpl->parts, DecaTemplatePart, i);
      DecaValue value;

      if (part->literal != NULL)
        {
          g_string_append (out, part->literal);
          continue;
        }
      if (!_deca_eval_expr (&eval, part->expr, &value))
        goto out;
      if (!_deca_value_append_display (out, &value, DECA_EXPR_MAX_STRING))
        {
          _deca_eval_error (&eval, part->expr->root, DECA_ENGINE_ERROR_LIMIT,
                            _("rendered text longer than %d bytes"), DECA_EXPR_MAX_STRING);
          goto out;
        }
    }

  result = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (result, out->str);

out:
  g_string_free (out, TRUE);
  _deca_eval_clear (&eval);
  return result;
}

void
deca_template_collect_references (DecaTemplate *tmpl,
                                  GPtrArray    *references)
{
  g_return_if_fail (tmpl != NULL);
  g_return_if_fail (references != NULL);

  for (guint i = 0; i < tmpl->parts->len; i++)
    {
      DecaTemplatePart *part = &g_array_index (tmpl->parts, DecaTemplatePart, i);

      if (part->expr != NULL)
        deca_expr_collect_references (part->expr, references);
    }
}

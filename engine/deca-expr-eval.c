/* deca-expr-eval.c: evaluation of expressions
 *
 * Evaluation walks the tree with DecaValue, a small tagged union that borrows strings and
 * containers from the scope's JsonNodes or from the syntax tree. Only operations that make
 * new strings or containers allocate, into an arena (DecaEval.owned) freed when the
 * evaluation ends; a JsonNode is built only at the deca_expr_evaluate boundary. So a
 * typical condition such as {{validate-input.success}} === true && {{input.amount}} > 100
 * runs without touching the allocator.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expr-private.h"
#include "deca-json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void
_deca_eval_init (DecaEval            *eval,
                 const DecaExprScope *scope,
                 GError             **error)
{
  memset (eval, 0, sizeof *eval);
  eval->scope = scope;
  eval->error = error;
}

void
_deca_eval_clear (DecaEval *eval)
{
  if (eval->owned == NULL)
    return;
  for (guint i = 0; i < eval->owned->len; i++)
    {
      DecaOwned *o = &g_array_index (eval->owned, DecaOwned, i);

      o->destroy (o->data);
    }
  g_clear_pointer (&eval->owned, g_array_unref);
}

gboolean
_deca_eval_error (DecaEval      *eval,
                  const DecaAst *at,
                  int            code,
                  const char    *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (eval->error == NULL)
    return FALSE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (eval->error, DECA_ENGINE_ERROR, code, _("column %u: %s"),
               _deca_expr_column (eval->source, at->offset), message);
  return FALSE;
}

gboolean
_deca_eval_charge (DecaEval      *eval,
                   const DecaAst *at,
                   gsize          n)
{
  if (n > DECA_EXPR_MAX_STEPS || eval->steps + n > DECA_EXPR_MAX_STEPS)
    return _deca_eval_error (eval, at, DECA_ENGINE_ERROR_LIMIT,
                             _("evaluation took more than %d steps"), DECA_EXPR_MAX_STEPS);
  eval->steps += (guint) n;
  return TRUE;
}

static gboolean
charge_bytes (DecaEval      *eval,
              const DecaAst *at,
              gsize          bytes)
{
  if (bytes > DECA_EXPR_MAX_TOTAL || eval->allocated + bytes > DECA_EXPR_MAX_TOTAL)
    return _deca_eval_error (eval, at, DECA_ENGINE_ERROR_LIMIT,
                             _("evaluation allocated more than %d bytes"), DECA_EXPR_MAX_TOTAL);
  eval->allocated += bytes;
  return TRUE;
}

static void
own (DecaEval      *eval,
     gpointer       data,
     GDestroyNotify destroy)
{
  DecaOwned o = { data, destroy };

  if (eval->owned == NULL)
    eval->owned = g_array_new (FALSE, FALSE, sizeof (DecaOwned));
  g_array_append_val (eval->owned, o);
}

gboolean
_deca_eval_take_string (DecaEval      *eval,
                        const DecaAst *at,
                        char          *str,
                        gsize          len,
                        DecaValue     *out)
{
  if (len > DECA_EXPR_MAX_STRING)
    {
      g_free (str);
      return _deca_eval_error (eval, at, DECA_ENGINE_ERROR_LIMIT,
                               _("string longer than %d bytes"), DECA_EXPR_MAX_STRING);
    }
  if (!charge_bytes (eval, at, len + 1))
    {
      g_free (str);
      return FALSE;
    }
  own (eval, str, g_free);
  out->type = DECA_VALUE_STRING;
  out->string = str;
  return TRUE;
}

gboolean
_deca_eval_take_gstring (DecaEval      *eval,
                         const DecaAst *at,
                         GString       *str,
                         DecaValue     *out)
{
  gsize len = str->len;

  return _deca_eval_take_string (eval, at, g_string_free (str, FALSE), len, out);
}

static gboolean
check_elements (DecaEval      *eval,
                const DecaAst *at,
                gsize          n)
{
  if (n > DECA_EXPR_MAX_ELEMENTS)
    return _deca_eval_error (eval, at, DECA_ENGINE_ERROR_LIMIT,
                             _("more than %d elements"), DECA_EXPR_MAX_ELEMENTS);
  return charge_bytes (eval, at, n * 32 + 32);
}

gboolean
_deca_eval_take_array (DecaEval      *eval,
                       const DecaAst *at,
                       JsonArray     *array,
                       DecaValue     *out)
{
  if (!check_elements (eval, at, json_array_get_length (array)))
    {
      json_array_unref (array);
      return FALSE;
    }
  own (eval, array, (GDestroyNotify) json_array_unref);
  out->type = DECA_VALUE_ARRAY;
  out->array = array;
  return TRUE;
}

gboolean
_deca_eval_take_node (DecaEval      *eval,
                      const DecaAst *at,
                      JsonNode      *node,
                      DecaValue     *out)
{
  gsize n = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    n = json_array_get_length (json_node_get_array (node));
  else if (JSON_NODE_HOLDS_OBJECT (node))
    n = json_object_get_size (json_node_get_object (node));
  if (!check_elements (eval, at, n))
    {
      json_node_unref (node);
      return FALSE;
    }
  own (eval, node, (GDestroyNotify) json_node_unref);
  _deca_value_from_node (node, out);
  return TRUE;
}

gboolean
_deca_eval_take_object (DecaEval      *eval,
                        const DecaAst *at,
                        JsonObject    *object,
                        DecaValue     *out)
{
  if (!check_elements (eval, at, json_object_get_size (object)))
    {
      json_object_unref (object);
      return FALSE;
    }
  own (eval, object, (GDestroyNotify) json_object_unref);
  out->type = DECA_VALUE_OBJECT;
  out->object = object;
  return TRUE;
}

/* Values */

void
_deca_value_from_node (JsonNode  *node,
                       DecaValue *out)
{
  out->type = DECA_VALUE_NULL;
  if (node == NULL)
    return;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      out->object = json_node_get_object (node);
      if (out->object != NULL)
        out->type = DECA_VALUE_OBJECT;
      break;
    case JSON_NODE_ARRAY:
      out->array = json_node_get_array (node);
      if (out->array != NULL)
        out->type = DECA_VALUE_ARRAY;
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          out->type = DECA_VALUE_INT;
          out->integer = json_node_get_int (node);
          break;
        case G_TYPE_DOUBLE:
          out->type = DECA_VALUE_DOUBLE;
          out->dbl = json_node_get_double (node);
          break;
        case G_TYPE_BOOLEAN:
          out->type = DECA_VALUE_BOOLEAN;
          out->boolean = json_node_get_boolean (node);
          break;
        case G_TYPE_STRING:
          out->type = DECA_VALUE_STRING;
          out->string = json_node_get_string (node);
          if (out->string == NULL)
            out->string = "";
          break;
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

JsonNode *
_deca_value_to_node (const DecaValue *value)
{
  JsonNode *node;

  switch (value->type)
    {
    case DECA_VALUE_BOOLEAN:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, value->boolean);
      return node;
    case DECA_VALUE_INT:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (node, value->integer);
      return node;
    case DECA_VALUE_DOUBLE:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, value->dbl);
      return node;
    case DECA_VALUE_STRING:
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value->string);
      return node;
    case DECA_VALUE_ARRAY:
      return json_node_init_array (json_node_alloc (), value->array);
    case DECA_VALUE_OBJECT:
      return json_node_init_object (json_node_alloc (), value->object);
    case DECA_VALUE_NULL:
    default:
      return json_node_new (JSON_NODE_NULL);
    }
}

gboolean
_deca_value_truthy (const DecaValue *value)
{
  switch (value->type)
    {
    case DECA_VALUE_BOOLEAN:
      return value->boolean;
    case DECA_VALUE_INT:
      return value->integer != 0;
    case DECA_VALUE_DOUBLE:
      return value->dbl != 0.0 && !isnan (value->dbl);
    case DECA_VALUE_STRING:
      return value->string[0] != '\0';
    case DECA_VALUE_ARRAY:
      return json_array_get_length (value->array) > 0;
    case DECA_VALUE_OBJECT:
      return json_object_get_size (value->object) > 0;
    case DECA_VALUE_NULL:
    default:
      return FALSE;
    }
}

const char *
_deca_value_type_name (const DecaValue *value)
{
  switch (value->type)
    {
    case DECA_VALUE_BOOLEAN: return "boolean";
    case DECA_VALUE_INT:
    case DECA_VALUE_DOUBLE: return "number";
    case DECA_VALUE_STRING: return "string";
    case DECA_VALUE_ARRAY: return "array";
    case DECA_VALUE_OBJECT: return "object";
    case DECA_VALUE_NULL:
    default: return "null";
    }
}

gboolean
_deca_value_is_number (const DecaValue *value)
{
  return value->type == DECA_VALUE_INT || value->type == DECA_VALUE_DOUBLE;
}

double
_deca_value_as_double (const DecaValue *value)
{
  return value->type == DECA_VALUE_INT ? (double) value->integer : value->dbl;
}

gboolean
_deca_parse_number (const char *text,
                    DecaValue  *out)
{
  const char *p = text;
  const char *start;
  gboolean is_double = FALSE;
  g_autofree char *copy = NULL;
  char *end = NULL;

  while (g_ascii_isspace (*p))
    p++;
  start = p;
  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      is_double = TRUE;
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      is_double = TRUE;
      p++;
      if (*p == '-' || *p == '+')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  copy = g_strndup (start, p - start);
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  if (!is_double)
    {
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (copy, &end, 10);
      if (errno == 0)
        {
          out->type = DECA_VALUE_INT;
          out->integer = v;
          return TRUE;
        }
    }
  out->type = DECA_VALUE_DOUBLE;
  out->dbl = g_ascii_strtod (copy, &end);
  return isfinite (out->dbl);
}

static gboolean
equal_depth (const DecaValue *a,
             const DecaValue *b,
             gboolean         strict,
             guint            depth);

/* Loose equality across scalar types converts booleans and strings to numbers; a string
 * that is not a number equals no number. */
static gboolean
scalar_as_number (const DecaValue *v,
                  DecaValue       *out)
{
  switch (v->type)
    {
    case DECA_VALUE_INT:
    case DECA_VALUE_DOUBLE:
      *out = *v;
      return TRUE;
    case DECA_VALUE_BOOLEAN:
      out->type = DECA_VALUE_INT;
      out->integer = v->boolean ? 1 : 0;
      return TRUE;
    case DECA_VALUE_STRING:
      return _deca_parse_number (v->string, out);
    default:
      return FALSE;
    }
}

static gboolean
equal_depth (const DecaValue *a,
             const DecaValue *b,
             gboolean         strict,
             guint            depth)
{
  if (depth > DECA_EXPR_MAX_VALUE_DEPTH)
    return FALSE;

  if (_deca_value_is_number (a) && _deca_value_is_number (b))
    {
      if (a->type == DECA_VALUE_INT && b->type == DECA_VALUE_INT)
        return a->integer == b->integer;
      return _deca_value_as_double (a) == _deca_value_as_double (b);
    }

  if (a->type != b->type)
    {
      DecaValue na, nb;

      if (strict || a->type == DECA_VALUE_NULL || b->type == DECA_VALUE_NULL)
        return FALSE;
      if (!scalar_as_number (a, &na) || !scalar_as_number (b, &nb))
        return FALSE;
      return equal_depth (&na, &nb, TRUE, depth);
    }

  switch (a->type)
    {
    case DECA_VALUE_NULL:
      return TRUE;
    case DECA_VALUE_BOOLEAN:
      return !a->boolean == !b->boolean;
    case DECA_VALUE_STRING:
      return a->string == b->string || strcmp (a->string, b->string) == 0;
    case DECA_VALUE_ARRAY:
      {
        guint n = json_array_get_length (a->array);

        if (a->array == b->array)
          return TRUE;
        if (n != json_array_get_length (b->array))
          return FALSE;
        for (guint i = 0; i < n; i++)
          {
            DecaValue ea, eb;

            _deca_value_from_node (json_array_get_element (a->array, i), &ea);
            _deca_value_from_node (json_array_get_element (b->array, i), &eb);
            if (!equal_depth (&ea, &eb, strict, depth + 1))
              return FALSE;
          }
        return TRUE;
      }
    case DECA_VALUE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (a->object == b->object)
          return TRUE;
        if (json_object_get_size (a->object) != json_object_get_size (b->object))
          return FALSE;
        json_object_iter_init (&iter, a->object);
        while (json_object_iter_next (&iter, &name, &member))
          {
            JsonNode *other = json_object_get_member (b->object, name);
            DecaValue ea, eb;

            if (other == NULL)
              return FALSE;
            _deca_value_from_node (member, &ea);
            _deca_value_from_node (other, &eb);
            if (!equal_depth (&ea, &eb, strict, depth + 1))
              return FALSE;
          }
        return TRUE;
      }
    default:
      return FALSE;
    }
}

gboolean
_deca_value_equal (const DecaValue *a,
                   const DecaValue *b,
                   gboolean         strict)
{
  return equal_depth (a, b, strict, 0);
}

void
_deca_format_double (double d,
                     char  *buf,
                     gsize  size)
{
  if (d == 0.0)
    {
      g_strlcpy (buf, "0", size);
      return;
    }
  deca_json_format_double (d, buf, size);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (a, b);
}

static gboolean
append_json (GString         *out,
             const DecaValue *value,
             gboolean         sort_keys,
             gsize            limit,
             guint            depth)
{
  char buf[40];

  if (depth > DECA_EXPR_MAX_VALUE_DEPTH)
    return FALSE;

  switch (value->type)
    {
    case DECA_VALUE_NULL:
      g_string_append (out, "null");
      break;
    case DECA_VALUE_BOOLEAN:
      g_string_append (out, value->boolean ? "true" : "false");
      break;
    case DECA_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->integer);
      break;
    case DECA_VALUE_DOUBLE:
      _deca_format_double (value->dbl, buf, sizeof buf);
      g_string_append (out, buf);
      break;
    case DECA_VALUE_STRING:
      deca_json_append_string (out, value->string);
      break;
    case DECA_VALUE_ARRAY:
      {
        guint n = json_array_get_length (value->array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            DecaValue element;

            if (i > 0)
              g_string_append_c (out, ',');
            _deca_value_from_node (json_array_get_element (value->array, i), &element);
            if (!append_json (out, &element, sort_keys, limit, depth + 1))
              return FALSE;
          }
        g_string_append_c (out, ']');
        break;
      }
    case DECA_VALUE_OBJECT:
      {
        GList *names = json_object_get_members (value->object);
        gboolean first = TRUE;

        if (sort_keys)
          names = g_list_sort (names, compare_strings);
        g_string_append_c (out, '{');
        for (GList *l = names; l != NULL; l = l->next)
          {
            DecaValue member;

            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            deca_json_append_string (out, l->data);
            g_string_append_c (out, ':');
            _deca_value_from_node (json_object_get_member (value->object, l->data), &member);
            if (!append_json (out, &member, sort_keys, limit, depth + 1))
              {
                g_list_free (names);
                return FALSE;
              }
          }
        g_list_free (names);
        g_string_append_c (out, '}');
        break;
      }
    }
  return out->len <= limit;
}

gboolean
_deca_value_append_json (GString         *out,
                         const DecaValue *value,
                         gboolean         sort_keys,
                         gsize            limit)
{
  return append_json (out, value, sort_keys, limit, 0);
}

gboolean
_deca_value_append_display (GString         *out,
                            const DecaValue *value,
                            gsize            limit)
{
  char buf[40];

  switch (value->type)
    {
    case DECA_VALUE_NULL:
      /* null renders as nothing, so "Hello {{input.name}}" degrades gracefully. */
      break;
    case DECA_VALUE_STRING:
      g_string_append (out, value->string);
      break;
    case DECA_VALUE_BOOLEAN:
      g_string_append (out, value->boolean ? "true" : "false");
      break;
    case DECA_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->integer);
      break;
    case DECA_VALUE_DOUBLE:
      _deca_format_double (value->dbl, buf, sizeof buf);
      g_string_append (out, buf);
      break;
    case DECA_VALUE_ARRAY:
    case DECA_VALUE_OBJECT:
      return append_json (out, value, FALSE, limit, 0);
    }
  return out->len <= limit;
}

/* Evaluation */

static gboolean eval_node (DecaEval      *eval,
                           const DecaAst *ast,
                           DecaValue     *out);

/* Literals are the most common operand of comparisons; reading them here saves a call and
 * a poorly predicted dispatch on the hot path. */
static inline gboolean
eval_operand (DecaEval      *eval,
              const DecaAst *ast,
              DecaValue     *out)
{
  if (ast->kind == DECA_AST_LITERAL && G_LIKELY (eval->steps < DECA_EXPR_MAX_STEPS))
    {
      eval->steps++;
      *out = ast->literal;
      return TRUE;
    }
  return eval_node (eval, ast, out);
}

static gboolean
make_number (DecaEval      *eval,
             const DecaAst *at,
             double         d,
             DecaValue     *out)
{
  if (!isfinite (d))
    return _deca_eval_error (eval, at, DECA_ENGINE_ERROR_EVALUATION,
                             _("result is not a finite number"));
  out->type = DECA_VALUE_DOUBLE;
  out->dbl = d;
  return TRUE;
}

static const char *
op_text (DecaBinaryOp op)
{
  static const char *const texts[] = {
    [DECA_OP_ADD] = "+", [DECA_OP_SUB] = "-", [DECA_OP_MUL] = "*", [DECA_OP_DIV] = "/",
    [DECA_OP_MOD] = "%", [DECA_OP_EQ] = "==", [DECA_OP_NE] = "!=", [DECA_OP_SEQ] = "===",
    [DECA_OP_SNE] = "!==", [DECA_OP_LT] = "<", [DECA_OP_LE] = "<=", [DECA_OP_GT] = ">",
    [DECA_OP_GE] = ">=", [DECA_OP_IN] = "in",
  };
  return texts[op];
}

static G_GNUC_NO_INLINE gboolean
eval_add (DecaEval        *eval,
          const DecaAst   *ast,
          const DecaValue *a,
          const DecaValue *b,
          DecaValue       *out)
{
  if (a->type == DECA_VALUE_INT && b->type == DECA_VALUE_INT)
    {
      gint64 r;

      if (!__builtin_add_overflow (a->integer, b->integer, &r))
        {
          out->type = DECA_VALUE_INT;
          out->integer = r;
          return TRUE;
        }
      return make_number (eval, ast, (double) a->integer + (double) b->integer, out);
    }
  if (_deca_value_is_number (a) && _deca_value_is_number (b))
    return make_number (eval, ast, _deca_value_as_double (a) + _deca_value_as_double (b), out);

  if (a->type == DECA_VALUE_STRING || b->type == DECA_VALUE_STRING)
    {
      GString *s;

      /* Check the obvious case before allocating, so that doubling a string in a chain
       * stops at the limit rather than after building something huge. */
      if ((a->type == DECA_VALUE_STRING ? strlen (a->string) : 0)
          + (b->type == DECA_VALUE_STRING ? strlen (b->string) : 0) > DECA_EXPR_MAX_STRING)
        return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_LIMIT,
                                 _("string longer than %d bytes"), DECA_EXPR_MAX_STRING);
      s = g_string_new (NULL);
      if (!_deca_value_append_display (s, a, DECA_EXPR_MAX_STRING)
          || !_deca_value_append_display (s, b, DECA_EXPR_MAX_STRING))
        {
          g_string_free (s, TRUE);
          return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_LIMIT,
                                   _("string longer than %d bytes"), DECA_EXPR_MAX_STRING);
        }
      return _deca_eval_take_gstring (eval, ast, s, out);
    }

  if (a->type == DECA_VALUE_ARRAY && b->type == DECA_VALUE_ARRAY)
    {
      guint na = json_array_get_length (a->array);
      guint nb = json_array_get_length (b->array);
      JsonArray *r;

      if ((gsize) na + nb > DECA_EXPR_MAX_ELEMENTS)
        return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_LIMIT,
                                 _("more than %d elements"), DECA_EXPR_MAX_ELEMENTS);
      if (!_deca_eval_charge (eval, ast, (gsize) na + nb))
        return FALSE;
      r = json_array_sized_new (na + nb);
      for (guint i = 0; i < na; i++)
        json_array_add_element (r, json_node_copy (json_array_get_element (a->array, i)));
      for (guint i = 0; i < nb; i++)
        json_array_add_element (r, json_node_copy (json_array_get_element (b->array, i)));
      return _deca_eval_take_array (eval, ast, r, out);
    }

  return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                           _("cannot add %s and %s"), _deca_value_type_name (a),
                           _deca_value_type_name (b));
}

static G_GNUC_NO_INLINE gboolean
eval_arithmetic (DecaEval        *eval,
                 const DecaAst   *ast,
                 const DecaValue *a,
                 const DecaValue *b,
                 DecaValue       *out)
{
  gint64 r = 0;

  if (!_deca_value_is_number (a) || !_deca_value_is_number (b))
    return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                             _("operator '%s' needs numbers, not %s and %s"), op_text (ast->op),
                             _deca_value_type_name (a), _deca_value_type_name (b));

  if (a->type == DECA_VALUE_INT && b->type == DECA_VALUE_INT)
    {
      gint64 x = a->integer, y = b->integer;

      switch (ast->op)
        {
        case DECA_OP_SUB:
          if (!__builtin_sub_overflow (x, y, &r))
            goto integer;
          break;
        case DECA_OP_MUL:
          if (!__builtin_mul_overflow (x, y, &r))
            goto integer;
          break;
        case DECA_OP_DIV:
          if (y == 0)
            goto division_by_zero;
          /* Exact quotients stay integers; others become doubles, as 7 / 2 is 3.5. */
          if (!(x == G_MININT64 && y == -1) && x % y == 0)
            {
              r = x / y;
              goto integer;
            }
          break;
        case DECA_OP_MOD:
          if (y == 0)
            goto division_by_zero;
          r = y == -1 ? 0 : x % y;
          goto integer;
        default:
          g_assert_not_reached ();
        }
      /* Overflow: fall through to doubles. */
    }

  {
    double x = _deca_value_as_double (a), y = _deca_value_as_double (b);

    switch (ast->op)
      {
      case DECA_OP_SUB:
        return make_number (eval, ast, x - y, out);
      case DECA_OP_MUL:
        return make_number (eval, ast, x * y, out);
      case DECA_OP_DIV:
        if (y == 0.0)
          goto division_by_zero;
        return make_number (eval, ast, x / y, out);
      case DECA_OP_MOD:
        if (y == 0.0)
          goto division_by_zero;
        return make_number (eval, ast, fmod (x, y), out);
      default:
        g_assert_not_reached ();
      }
  }

integer:
  out->type = DECA_VALUE_INT;
  out->integer = r;
  return TRUE;

division_by_zero:
  return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION, _("division by zero"));
}

static gboolean
eval_compare (DecaEval        *eval,
              const DecaAst   *ast,
              const DecaValue *a,
              const DecaValue *b,
              DecaValue       *out)
{
  int c;

  if (a->type == DECA_VALUE_INT && b->type == DECA_VALUE_INT)
    c = (a->integer > b->integer) - (a->integer < b->integer);
  else if (_deca_value_is_number (a) && _deca_value_is_number (b))
    {
      double x = _deca_value_as_double (a), y = _deca_value_as_double (b);

      c = (x > y) - (x < y);
    }
  else if (a->type == DECA_VALUE_STRING && b->type == DECA_VALUE_STRING)
    c = strcmp (a->string, b->string);
  else
    return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                             _("cannot compare %s and %s with '%s'"), _deca_value_type_name (a),
                             _deca_value_type_name (b), op_text (ast->op));

  out->type = DECA_VALUE_BOOLEAN;
  switch (ast->op)
    {
    case DECA_OP_LT: out->boolean = c < 0; break;
    case DECA_OP_LE: out->boolean = c <= 0; break;
    case DECA_OP_GT: out->boolean = c > 0; break;
    case DECA_OP_GE: out->boolean = c >= 0; break;
    default: g_assert_not_reached ();
    }
  return TRUE;
}

static G_GNUC_NO_INLINE gboolean
eval_in (DecaEval        *eval,
         const DecaAst   *ast,
         const DecaValue *needle,
         const DecaValue *haystack,
         DecaValue       *out)
{
  out->type = DECA_VALUE_BOOLEAN;
  out->boolean = FALSE;

  switch (haystack->type)
    {
    case DECA_VALUE_NULL:
      return TRUE;
    case DECA_VALUE_ARRAY:
      {
        guint n = json_array_get_length (haystack->array);

        if (!_deca_eval_charge (eval, ast, n))
          return FALSE;
        for (guint i = 0; i < n && !out->boolean; i++)
          {
            DecaValue element;

            _deca_value_from_node (json_array_get_element (haystack->array, i), &element);
            out->boolean = _deca_value_equal (needle, &element, TRUE);
          }
        return TRUE;
      }
    case DECA_VALUE_OBJECT:
      if (needle->type != DECA_VALUE_STRING)
        break;
      out->boolean = json_object_has_member (haystack->object, needle->string);
      return TRUE;
    case DECA_VALUE_STRING:
      if (needle->type != DECA_VALUE_STRING)
        break;
      out->boolean = strstr (haystack->string, needle->string) != NULL;
      return TRUE;
    default:
      break;
    }
  return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                           _("cannot look for a %s in a %s with 'in'"),
                           _deca_value_type_name (needle), _deca_value_type_name (haystack));
}

static gboolean
eval_binary (DecaEval      *eval,
             const DecaAst *ast,
             DecaValue     *out)
{
  DecaValue a, b;

  if (!eval_operand (eval, ast->children[0], &a) || !eval_operand (eval, ast->children[1], &b))
    return FALSE;

  switch (ast->op)
    {
    case DECA_OP_ADD:
      return eval_add (eval, ast, &a, &b, out);
    case DECA_OP_SUB:
    case DECA_OP_MUL:
    case DECA_OP_DIV:
    case DECA_OP_MOD:
      return eval_arithmetic (eval, ast, &a, &b, out);
    case DECA_OP_EQ:
    case DECA_OP_NE:
    case DECA_OP_SEQ:
    case DECA_OP_SNE:
      {
        gboolean strict = ast->op == DECA_OP_SEQ || ast->op == DECA_OP_SNE;
        gboolean negate = ast->op == DECA_OP_NE || ast->op == DECA_OP_SNE;

        out->type = DECA_VALUE_BOOLEAN;
        out->boolean = _deca_value_equal (&a, &b, strict) != negate;
        return TRUE;
      }
    case DECA_OP_LT:
    case DECA_OP_LE:
    case DECA_OP_GT:
    case DECA_OP_GE:
      return eval_compare (eval, ast, &a, &b, out);
    case DECA_OP_IN:
      return eval_in (eval, ast, &a, &b, out);
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Reads an index value as an integer position; doubles are accepted when integral. */
static gboolean
index_position (const DecaValue *key,
                gint64          *position)
{
  if (key->type == DECA_VALUE_INT)
    {
      *position = key->integer;
      return TRUE;
    }
  if (key->type == DECA_VALUE_DOUBLE && key->dbl == floor (key->dbl)
      && fabs (key->dbl) < 9007199254740992.0)
    {
      *position = (gint64) key->dbl;
      return TRUE;
    }
  return FALSE;
}

static G_GNUC_NO_INLINE gboolean
eval_index (DecaEval      *eval,
            const DecaAst *ast,
            DecaValue     *out)
{
  DecaValue base, key;
  gint64 position;

  if (!eval_node (eval, ast->children[0], &base) || !eval_node (eval, ast->children[1], &key))
    return FALSE;

  out->type = DECA_VALUE_NULL;
  switch (base.type)
    {
    case DECA_VALUE_NULL:
      return TRUE;
    case DECA_VALUE_ARRAY:
      {
        gint64 n = json_array_get_length (base.array);

        if (!index_position (&key, &position))
          return _deca_eval_error (eval, ast->children[1], DECA_ENGINE_ERROR_EVALUATION,
                                   _("array index must be an integer, not %s"),
                                   _deca_value_type_name (&key));
        if (position < 0)
          position += n;
        if (position >= 0 && position < n)
          _deca_value_from_node (json_array_get_element (base.array, (guint) position), out);
        return TRUE;
      }
    case DECA_VALUE_OBJECT:
      if (key.type != DECA_VALUE_STRING)
        return _deca_eval_error (eval, ast->children[1], DECA_ENGINE_ERROR_EVALUATION,
                                 _("object key must be a string, not %s"),
                                 _deca_value_type_name (&key));
      _deca_value_from_node (json_object_get_member (base.object, key.string), out);
      return TRUE;
    case DECA_VALUE_STRING:
      {
        gint64 n = g_utf8_strlen (base.string, -1);
        const char *p, *q;

        if (!index_position (&key, &position))
          return _deca_eval_error (eval, ast->children[1], DECA_ENGINE_ERROR_EVALUATION,
                                   _("string index must be an integer, not %s"),
                                   _deca_value_type_name (&key));
        if (position < 0)
          position += n;
        if (position < 0 || position >= n)
          return TRUE;
        p = g_utf8_offset_to_pointer (base.string, (glong) position);
        q = g_utf8_next_char (p);
        return _deca_eval_take_string (eval, ast, g_strndup (p, q - p), q - p, out);
      }
    default:
      return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION, _("cannot index a %s"),
                               _deca_value_type_name (&base));
    }
}

/* Not inlined: its argument array would otherwise grow every frame of the recursion. */
static G_GNUC_NO_INLINE gboolean
eval_call (DecaEval      *eval,
           const DecaAst *ast,
           DecaValue     *out)
{
  const DecaExprFunction *f = ast->function;
  DecaValue args[DECA_EXPR_MAX_ARGS];

  g_assert (ast->n_children <= DECA_EXPR_MAX_ARGS);

  if (ast->n_children < f->min_args || ast->n_children > f->max_args)
    {
      if (f->min_args == f->max_args)
        return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                                 g_dngettext (GETTEXT_PACKAGE, "%s() takes %u argument, got %u",
                                              "%s() takes %u arguments, got %u", f->min_args),
                                 f->name, f->min_args, ast->n_children);
      if (f->max_args >= DECA_EXPR_MAX_ARGS)
        return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                                 g_dngettext (GETTEXT_PACKAGE,
                                              "%s() takes at least %u argument, got %u",
                                              "%s() takes at least %u arguments, got %u",
                                              f->min_args),
                                 f->name, f->min_args, ast->n_children);
      return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                               _("%s() takes %u to %u arguments, got %u"), f->name, f->min_args,
                               f->max_args, ast->n_children);
    }
  for (guint i = 0; i < ast->n_children; i++)
    if (!eval_node (eval, ast->children[i], &args[i]))
      return FALSE;
  out->type = DECA_VALUE_NULL;
  return f->impl (eval, ast, args, ast->n_children, out);
}

static inline gboolean
eval_root (DecaEval      *eval,
           const DecaAst *ast,
           DecaValue     *out)
{
  JsonNode *node = NULL;

  if (eval->scope != NULL && eval->scope->resolve != NULL)
    node = eval->scope->resolve (ast->name, eval->scope->user_data);
  if (G_UNLIKELY (node == NULL))
    return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                             _("unknown reference '%s'"), ast->name);
  _deca_value_from_node (node, out);
  return TRUE;
}

static G_GNUC_NO_INLINE gboolean
eval_array (DecaEval      *eval,
            const DecaAst *ast,
            DecaValue     *out)
{
  JsonArray *array = json_array_sized_new (ast->n_children);

  for (guint i = 0; i < ast->n_children; i++)
    {
      DecaValue element;

      if (!eval_node (eval, ast->children[i], &element))
        {
          json_array_unref (array);
          return FALSE;
        }
      json_array_add_element (array, _deca_value_to_node (&element));
    }
  return _deca_eval_take_array (eval, ast, array, out);
}

static G_GNUC_NO_INLINE gboolean
eval_object (DecaEval      *eval,
             const DecaAst *ast,
             DecaValue     *out)
{
  JsonObject *object = json_object_new ();

  for (guint i = 0; i < ast->n_children; i++)
    {
      DecaValue member;

      if (!eval_node (eval, ast->children[i], &member))
        {
          json_object_unref (object);
          return FALSE;
        }
      json_object_set_member (object, ast->keys[i], _deca_value_to_node (&member));
    }
  return _deca_eval_take_object (eval, ast, object, out);
}

static gboolean
eval_node (DecaEval      *eval,
           const DecaAst *ast,
           DecaValue     *out)
{
  if (G_UNLIKELY (++eval->steps > DECA_EXPR_MAX_STEPS))
    return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_LIMIT,
                             _("evaluation took more than %d steps"), DECA_EXPR_MAX_STEPS);

  switch (ast->kind)
    {
    case DECA_AST_LITERAL:
      *out = ast->literal;
      return TRUE;

    case DECA_AST_ROOT:
      return eval_root (eval, ast, out);

    case DECA_AST_MEMBER:
      {
        const DecaAst *child = ast->children[0];
        DecaValue base;

        /* root.member is the most common path; resolving the root here saves a level of
         * recursion. */
        if (child->kind == DECA_AST_ROOT)
          {
            if (!eval_root (eval, child, &base))
              return FALSE;
          }
        else if (!eval_node (eval, child, &base))
          return FALSE;
        if (base.type == DECA_VALUE_OBJECT)
          {
            _deca_value_from_node (json_object_get_member (base.object, ast->name), out);
            return TRUE;
          }
        if (base.type == DECA_VALUE_NULL)
          {
            /* Safe navigation: a.b.c is null when a.b is missing. */
            out->type = DECA_VALUE_NULL;
            return TRUE;
          }
        return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                                 _("cannot read member '%s' of a %s"), ast->name,
                                 _deca_value_type_name (&base));
      }

    case DECA_AST_INDEX:
      return eval_index (eval, ast, out);

    case DECA_AST_CALL:
      return eval_call (eval, ast, out);

    case DECA_AST_ARRAY:
      return eval_array (eval, ast, out);

    case DECA_AST_OBJECT:
      return eval_object (eval, ast, out);

    case DECA_AST_NOT:
      {
        DecaValue v;

        if (!eval_node (eval, ast->children[0], &v))
          return FALSE;
        out->type = DECA_VALUE_BOOLEAN;
        out->boolean = !_deca_value_truthy (&v);
        return TRUE;
      }

    case DECA_AST_NEGATE:
    case DECA_AST_POSITIVE:
      {
        DecaValue v;

        if (!eval_node (eval, ast->children[0], &v))
          return FALSE;
        if (!_deca_value_is_number (&v))
          return _deca_eval_error (eval, ast, DECA_ENGINE_ERROR_EVALUATION,
                                   _("unary '%s' needs a number, not %s"),
                                   ast->kind == DECA_AST_NEGATE ? "-" : "+",
                                   _deca_value_type_name (&v));
        *out = v;
        if (ast->kind == DECA_AST_POSITIVE)
          return TRUE;
        if (v.type == DECA_VALUE_INT && v.integer != G_MININT64)
          out->integer = -v.integer;
        else
          return make_number (eval, ast, -_deca_value_as_double (&v), out);
        return TRUE;
      }

    case DECA_AST_BINARY:
      return eval_binary (eval, ast, out);

    case DECA_AST_AND:
    case DECA_AST_OR:
      {
        DecaValue v;
        gboolean truthy;

        if (!eval_node (eval, ast->children[0], &v))
          return FALSE;
        truthy = _deca_value_truthy (&v);
        /* Short-circuit: the right side is not evaluated (nor can it fail) when the left
         * decides. The result is always a boolean. */
        if (truthy == (ast->kind == DECA_AST_OR))
          {
            out->type = DECA_VALUE_BOOLEAN;
            out->boolean = truthy;
            return TRUE;
          }
        if (!eval_node (eval, ast->children[1], &v))
          return FALSE;
        out->type = DECA_VALUE_BOOLEAN;
        out->boolean = _deca_value_truthy (&v);
        return TRUE;
      }

    case DECA_AST_COALESCE:
      if (!eval_node (eval, ast->children[0], out))
        return FALSE;
      if (out->type != DECA_VALUE_NULL)
        return TRUE;
      return eval_node (eval, ast->children[1], out);

    case DECA_AST_CONDITIONAL:
      {
        DecaValue v;

        if (!eval_node (eval, ast->children[0], &v))
          return FALSE;
        return eval_node (eval, ast->children[_deca_value_truthy (&v) ? 1 : 2], out);
      }

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

gboolean
_deca_eval_expr (DecaEval  *eval,
                 DecaExpr  *expr,
                 DecaValue *out)
{
  eval->source = expr->source;
  return eval_node (eval, expr->root, out);
}

JsonNode *
deca_expr_evaluate (DecaExpr            *expr,
                    const DecaExprScope *scope,
                    GError             **error)
{
  DecaEval eval;
  DecaValue value;
  JsonNode *result = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _deca_eval_init (&eval, scope, error);
  if (_deca_eval_expr (&eval, expr, &value))
    result = _deca_value_to_node (&value);
  _deca_eval_clear (&eval);
  return result;
}

gboolean
deca_expr_evaluate_boolean (DecaExpr            *expr,
                            const DecaExprScope *scope,
                            gboolean            *result,
                            GError             **error)
{
  DecaEval eval;
  DecaValue value;
  gboolean ok;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _deca_eval_init (&eval, scope, error);
  ok = _deca_eval_expr (&eval, expr, &value);
  if (ok && result != NULL)
    *result = _deca_value_truthy (&value);
  _deca_eval_clear (&eval);
  return ok;
}

gboolean
deca_json_is_truthy (JsonNode *node)
{
  DecaValue value;

  _deca_value_from_node (node, &value);
  return _deca_value_truthy (&value);
}

char *
deca_json_to_display_string (JsonNode *node)
{
  DecaValue value;
  GString *out = g_string_new (NULL);

  _deca_value_from_node (node, &value);
  if (!_deca_value_append_display (out, &value, G_MAXSIZE))
    {
      /* Only a value nested deeper than DECA_EXPR_MAX_VALUE_DEPTH gets here. */
      g_string_truncate (out, 0);
    }
  return g_string_free (out, FALSE);
}

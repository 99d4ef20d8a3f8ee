/* deca-expr-functions.c: the function library of the expression language
 *
 * Every function receives its evaluated arguments (arity is checked by the caller) and
 * fails with an evaluation error that names it. Functions that touch n elements charge n
 * steps, and everything they produce goes through the evaluation's size limits, so no
 * function can run or grow without bound. docs/expressions.md lists them with examples.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expr-private.h"

#include <math.h>
#include <string.h>

#define FN(name) \
  static gboolean fn_##name (DecaEval *eval, const DecaAst *call, const DecaValue *args, \
                             guint n_args, DecaValue *result)

static gboolean
arg_error (DecaEval        *eval,
           const DecaAst   *call,
           guint            i,
           const char      *expected,
           const DecaValue *got)
{
  /* Translators: "%s()" is a function such as "upper()"; the second %s describes what
   * the argument must be, such as "a string"; the last is a type name (string, number,
   * boolean, array, object or null), kept as written in expressions */
  return _deca_eval_error (eval, call->children[i], DECA_ENGINE_ERROR_EVALUATION,
                           _("%s(): argument %u must be %s, not %s"), call->function->name,
                           i + 1, _(expected), _deca_value_type_name (got));
}

#define REQUIRE(i, t, what) \
  G_STMT_START { \
    if (args[i].type != (t)) \
      return arg_error (eval, call, i, what, &args[i]); \
  } G_STMT_END

#define REQUIRE_NUMBER(i) \
  G_STMT_START { \
    if (!_deca_value_is_number (&args[i])) \
      return arg_error (eval, call, i, N_("a number"), &args[i]); \
  } G_STMT_END

static void
set_int (DecaValue *out,
         gint64     v)
{
  out->type = DECA_VALUE_INT;
  out->integer = v;
}

static void
set_bool (DecaValue *out,
          gboolean   v)
{
  out->type = DECA_VALUE_BOOLEAN;
  out->boolean = v;
}

/* Stores @d as an integer when it is integral and fits, else as a double. */
static gboolean
set_number (DecaEval      *eval,
            const DecaAst *call,
            double         d,
            DecaValue     *out)
{
  if (!isfinite (d))
    return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                             _("%s(): result is not a finite number"), call->function->name);
  if (d == floor (d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    set_int (out, (gint64) d);
  else
    {
      out->type = DECA_VALUE_DOUBLE;
      out->dbl = d;
    }
  return TRUE;
}

static gboolean
limit_error (DecaEval      *eval,
             const DecaAst *call)
{
  return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_LIMIT,
                           _("%s(): result larger than %d bytes or nested deeper than %d"),
                           call->function->name, DECA_EXPR_MAX_STRING,
                           DECA_EXPR_MAX_VALUE_DEPTH);
}

static gboolean
element_limit (DecaEval      *eval,
               const DecaAst *call,
               gsize          n)
{
  if (n > DECA_EXPR_MAX_ELEMENTS)
    return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_LIMIT,
                             _("%s(): more than %d elements"), call->function->name,
                             DECA_EXPR_MAX_ELEMENTS);
  return _deca_eval_charge (eval, call, n);
}

static gboolean
take_dup (DecaEval      *eval,
          const DecaAst *call,
          const char    *s,
          gsize          len,
          DecaValue     *out)
{
  return _deca_eval_take_string (eval, call, g_strndup (s, len), len, out);
}

/* Finds @needle (@nlen > 0 bytes) in @h[0, @hlen). Plain memchr + memcmp rather than
 * strstr: repeated strstr calls rescan the rest of the haystack under some sanitizers,
 * which turns replace() and split() quadratic there. */
static const char *
find (const char *h,
      gsize       hlen,
      const char *needle,
      gsize       nlen)
{
  const char *end = h + hlen;

  while ((gsize) (end - h) >= nlen)
    {
      const char *p = memchr (h, needle[0], (end - h) - nlen + 1);

      if (p == NULL)
        return NULL;
      if (memcmp (p, needle, nlen) == 0)
        return p;
      h = p + 1;
    }
  return NULL;
}

/* Strings */

FN (length)
{
  switch (args[0].type)
    {
    case DECA_VALUE_STRING:
      set_int (result, g_utf8_strlen (args[0].string, -1));
      return TRUE;
    case DECA_VALUE_ARRAY:
      set_int (result, json_array_get_length (args[0].array));
      return TRUE;
    case DECA_VALUE_OBJECT:
      set_int (result, json_object_get_size (args[0].object));
      return TRUE;
    case DECA_VALUE_NULL:
      set_int (result, 0);
      return TRUE;
    default:
      return arg_error (eval, call, 0, N_("a string, array or object"), &args[0]);
    }
}

FN (lower)
{
  char *s;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  s = g_utf8_strdown (args[0].string, -1);
  return _deca_eval_take_string (eval, call, s, strlen (s), result);
}

FN (upper)
{
  char *s;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  s = g_utf8_strup (args[0].string, -1);
  return _deca_eval_take_string (eval, call, s, strlen (s), result);
}

FN (trim)
{
  const char *s, *e;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  s = args[0].string;
  while (g_ascii_isspace (*s))
    s++;
  e = s + strlen (s);
  while (e > s && g_ascii_isspace (e[-1]))
    e--;
  if (*e == '\0' && s == args[0].string)
    {
      *result = args[0];
      return TRUE;
    }
  return take_dup (eval, call, s, e - s, result);
}

static gboolean
array_contains (DecaEval        *eval,
                const DecaAst   *call,
                JsonArray       *array,
                const DecaValue *needle,
                gint64          *position)
{
  guint n = json_array_get_length (array);

  *position = -1;
  if (!_deca_eval_charge (eval, call, n))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      DecaValue element;

      _deca_value_from_node (json_array_get_element (array, i), &element);
      if (_deca_value_equal (needle, &element, TRUE))
        {
          *position = i;
          break;
        }
    }
  return TRUE;
}

FN (contains)
{
  gint64 position;

  switch (args[0].type)
    {
    case DECA_VALUE_NULL:
      set_bool (result, FALSE);
      return TRUE;
    case DECA_VALUE_STRING:
      REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
      set_bool (result, strstr (args[0].string, args[1].string) != NULL);
      return TRUE;
    case DECA_VALUE_ARRAY:
      if (!array_contains (eval, call, args[0].array, &args[1], &position))
        return FALSE;
      set_bool (result, position >= 0);
      return TRUE;
    case DECA_VALUE_OBJECT:
      REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
      set_bool (result, json_object_has_member (args[0].object, args[1].string));
      return TRUE;
    default:
      return arg_error (eval, call, 0, N_("a string, array or object"), &args[0]);
    }
}

FN (starts_with)
{
  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
  set_bool (result, g_str_has_prefix (args[0].string, args[1].string));
  return TRUE;
}

FN (ends_with)
{
  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
  set_bool (result, g_str_has_suffix (args[0].string, args[1].string));
  return TRUE;
}

FN (split)
{
  const char *s, *sep, *p, *end;
  gsize sep_len, count = 1;
  JsonArray *array;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
  s = args[0].string;
  sep = args[1].string;
  sep_len = strlen (sep);

  if (sep_len == 0)
    {
      /* An empty separator splits into characters. */
      count = g_utf8_strlen (s, -1);
      if (!element_limit (eval, call, count))
        return FALSE;
      array = json_array_sized_new (count);
      for (p = s; *p; p = g_utf8_next_char (p))
        {
          g_autofree char *c = g_strndup (p, g_utf8_next_char (p) - p);

          json_array_add_string_element (array, c);
        }
      return _deca_eval_take_array (eval, call, array, result);
    }

  end = s + strlen (s);
  for (p = find (s, end - s, sep, sep_len); p != NULL;
       p = find (p + sep_len, end - (p + sep_len), sep, sep_len))
    if (++count > DECA_EXPR_MAX_ELEMENTS)
      break;
  if (!element_limit (eval, call, count))
    return FALSE;

  array = json_array_sized_new (count);
  for (p = s;;)
    {
      const char *q = find (p, end - p, sep, sep_len);
      g_autofree char *piece = g_strndup (p, q != NULL ? (gsize) (q - p) : (gsize) (end - p));

      json_array_add_string_element (array, piece);
      if (q == NULL)
        break;
      p = q + sep_len;
    }
  if (!_deca_eval_charge (eval, call, strlen (s) / 64))
    {
      json_array_unref (array);
      return FALSE;
    }
  return _deca_eval_take_array (eval, call, array, result);
}

FN (join)
{
  const char *sep = "";
  guint n;
  GString *out;

  REQUIRE (0, DECA_VALUE_ARRAY, N_("an array"));
  if (n_args > 1)
    {
      REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
      sep = args[1].string;
    }
  n = json_array_get_length (args[0].array);
  if (!_deca_eval_charge (eval, call, n))
    return FALSE;

  out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      DecaValue element;

      if (i > 0)
        g_string_append (out, sep);
      _deca_value_from_node (json_array_get_element (args[0].array, i), &element);
      if (out->len > DECA_EXPR_MAX_STRING
          || !_deca_value_append_display (out, &element, DECA_EXPR_MAX_STRING))
        {
          g_string_free (out, TRUE);
          return limit_error (eval, call);
        }
    }
  return _deca_eval_take_gstring (eval, call, out, result);
}

FN (replace)
{
  const char *s, *from, *to, *p, *end;
  gsize from_len, to_len, count = 0, size;
  GString *out;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
  REQUIRE (2, DECA_VALUE_STRING, N_("a string"));
  s = args[0].string;
  from = args[1].string;
  to = args[2].string;
  from_len = strlen (from);
  to_len = strlen (to);

  if (from_len == 0)
    {
      *result = args[0];
      return TRUE;
    }

  /* Size the result first so that a replacement that would blow up fails before
   * allocating. */
  end = s + strlen (s);
  for (p = find (s, end - s, from, from_len); p != NULL;
       p = find (p + from_len, end - (p + from_len), from, from_len))
    count++;
  size = (end - s) - count * from_len;
  if (to_len > 0 && count > (DECA_EXPR_MAX_STRING - MIN (size, DECA_EXPR_MAX_STRING)) / to_len)
    return limit_error (eval, call);
  size += count * to_len;
  if (size > DECA_EXPR_MAX_STRING)
    return limit_error (eval, call);

  out = g_string_sized_new (size + 1);
  for (p = s;;)
    {
      const char *q = find (p, end - p, from, from_len);

      if (q == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, q - p);
      g_string_append_len (out, to, to_len);
      p = q + from_len;
    }
  return _deca_eval_take_gstring (eval, call, out, result);
}

/* Objects and JSON */

FN (keys)
{
  GList *names;
  JsonArray *array;

  REQUIRE (0, DECA_VALUE_OBJECT, N_("an object"));
  if (!element_limit (eval, call, json_object_get_size (args[0].object)))
    return FALSE;
  names = json_object_get_members (args[0].object);
  array = json_array_sized_new (g_list_length (names));
  for (GList *l = names; l != NULL; l = l->next)
    json_array_add_string_element (array, l->data);
  g_list_free (names);
  return _deca_eval_take_array (eval, call, array, result);
}

FN (values)
{
  GList *names;
  JsonArray *array;

  REQUIRE (0, DECA_VALUE_OBJECT, N_("an object"));
  if (!element_limit (eval, call, json_object_get_size (args[0].object)))
    return FALSE;
  names = json_object_get_members (args[0].object);
  array = json_array_sized_new (g_list_length (names));
  for (GList *l = names; l != NULL; l = l->next)
    json_array_add_element (array,
                            json_node_copy (json_object_get_member (args[0].object, l->data)));
  g_list_free (names);
  return _deca_eval_take_array (eval, call, array, result);
}

/* json-glib's parser recurses once per nesting level; refuse deep documents up front so a
 * crafted string cannot exhaust the stack. */
static gboolean
json_depth_ok (const char *s)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (const char *p = s; *p; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '[' || *p == '{')
        {
          if (++depth > DECA_EXPR_MAX_VALUE_DEPTH)
            return FALSE;
        }
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

FN (json)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  if (!json_depth_ok (args[0].string))
    return limit_error (eval, call);
  if (!_deca_eval_charge (eval, call, strlen (args[0].string) / 16))
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, args[0].string, -1, &local_error))
    return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                             _("json(): invalid JSON: %s"), local_error->message);
  root = json_parser_steal_root (parser);
  if (root == NULL)
    return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                             _("json(): invalid JSON: empty document"));
  return _deca_eval_take_node (eval, call, root, result);
}

FN (to_json)
{
  GString *out = g_string_new (NULL);

  if (!_deca_value_append_json (out, &args[0], FALSE, DECA_EXPR_MAX_STRING))
    {
      g_string_free (out, TRUE);
      return limit_error (eval, call);
    }
  return _deca_eval_take_gstring (eval, call, out, result);
}

/* Conversions */

static gboolean
to_number (DecaEval        *eval,
           const DecaAst   *call,
           const DecaValue *v,
           DecaValue       *out)
{
  switch (v->type)
    {
    case DECA_VALUE_INT:
    case DECA_VALUE_DOUBLE:
      *out = *v;
      return TRUE;
    case DECA_VALUE_BOOLEAN:
      set_int (out, v->boolean ? 1 : 0);
      return TRUE;
    case DECA_VALUE_STRING:
      if (_deca_parse_number (v->string, out))
        return TRUE;
      return _deca_eval_error (eval, call->children[0], DECA_ENGINE_ERROR_EVALUATION,
                               _("%s(): '%.40s' is not a number"), call->function->name,
                               v->string);
    default:
      return arg_error (eval, call, 0, N_("a number, string or boolean"), v);
    }
}

FN (number)
{
  return to_number (eval, call, &args[0], result);
}

FN (string)
{
  GString *out;

  if (args[0].type == DECA_VALUE_STRING)
    {
      *result = args[0];
      return TRUE;
    }
  out = g_string_new (NULL);
  if (!_deca_value_append_display (out, &args[0], DECA_EXPR_MAX_STRING))
    {
      g_string_free (out, TRUE);
      return limit_error (eval, call);
    }
  return _deca_eval_take_gstring (eval, call, out, result);
}

FN (boolean)
{
  set_bool (result, _deca_value_truthy (&args[0]));
  return TRUE;
}

FN (int)
{
  DecaValue n;

  if (!to_number (eval, call, &args[0], &n))
    return FALSE;
  if (n.type == DECA_VALUE_DOUBLE)
    {
      double t = trunc (n.dbl);

      if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
        return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                                 _("int(): number out of range"));
      set_int (result, (gint64) t);
      return TRUE;
    }
  *result = n;
  return TRUE;
}

/* Numbers */

FN (round)
{
  gint64 digits = 0;
  double x, scale;

  REQUIRE_NUMBER (0);
  if (n_args > 1)
    {
      if (args[1].type != DECA_VALUE_INT || args[1].integer < -15 || args[1].integer > 15)
        return _deca_eval_error (eval, call->children[1], DECA_ENGINE_ERROR_EVALUATION,
                                 _("round(): digits must be an integer from -15 to 15"));
      digits = args[1].integer;
    }
  if (args[0].type == DECA_VALUE_INT && digits >= 0)
    {
      *result = args[0];
      return TRUE;
    }
  x = args[0].type == DECA_VALUE_INT ? (double) args[0].integer : args[0].dbl;
  if (digits == 0)
    return set_number (eval, call, round (x), result);
  scale = pow (10.0, (double) digits);
  x = round (x * scale) / scale;
  if (!isfinite (x))
    return set_number (eval, call, x, result);
  result->type = DECA_VALUE_DOUBLE;
  result->dbl = x;
  return TRUE;
}

FN (floor)
{
  REQUIRE_NUMBER (0);
  if (args[0].type == DECA_VALUE_INT)
    {
      *result = args[0];
      return TRUE;
    }
  return set_number (eval, call, floor (args[0].dbl), result);
}

FN (ceil)
{
  REQUIRE_NUMBER (0);
  if (args[0].type == DECA_VALUE_INT)
    {
      *result = args[0];
      return TRUE;
    }
  return set_number (eval, call, ceil (args[0].dbl), result);
}

FN (abs)
{
  REQUIRE_NUMBER (0);
  if (args[0].type == DECA_VALUE_INT && args[0].integer != G_MININT64)
    {
      set_int (result, args[0].integer < 0 ? -args[0].integer : args[0].integer);
      return TRUE;
    }
  result->type = DECA_VALUE_DOUBLE;
  result->dbl = fabs (_deca_value_as_double (&args[0]));
  return TRUE;
}

/* min() and max() take numbers as arguments or one array of numbers. */
static gboolean
min_max (DecaEval        *eval,
         const DecaAst   *call,
         const DecaValue *args,
         guint            n_args,
         gboolean         want_max,
         DecaValue       *result)
{
  JsonArray *array = NULL;
  guint n = n_args;

  if (n_args == 1 && args[0].type == DECA_VALUE_ARRAY)
    {
      array = args[0].array;
      n = json_array_get_length (array);
      if (!_deca_eval_charge (eval, call, n))
        return FALSE;
    }

  result->type = DECA_VALUE_NULL;
  for (guint i = 0; i < n; i++)
    {
      DecaValue v;

      if (array != NULL)
        _deca_value_from_node (json_array_get_element (array, i), &v);
      else
        v = args[i];
      if (!_deca_value_is_number (&v))
        {
          if (array == NULL)
            return arg_error (eval, call, i, N_("a number"), &v);
          return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                                   _("%s(): element %u is a %s, not a number"),
                                   call->function->name, i, _deca_value_type_name (&v));
        }
      if (result->type == DECA_VALUE_NULL)
        *result = v;
      else
        {
          gboolean greater;

          if (v.type == DECA_VALUE_INT && result->type == DECA_VALUE_INT)
            greater = v.integer > result->integer;
          else
            greater = _deca_value_as_double (&v) > _deca_value_as_double (result);
          if (greater == want_max && !_deca_value_equal (&v, result, TRUE))
            *result = v;
        }
    }
  return TRUE;
}

FN (min)
{
  return min_max (eval, call, args, n_args, FALSE, result);
}

FN (max)
{
  return min_max (eval, call, args, n_args, TRUE, result);
}

FN (sum)
{
  guint n;
  gint64 total = 0;
  double dtotal = 0.0;
  gboolean is_double = FALSE;

  REQUIRE (0, DECA_VALUE_ARRAY, N_("an array"));
  n = json_array_get_length (args[0].array);
  if (!_deca_eval_charge (eval, call, n))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      DecaValue v;

      _deca_value_from_node (json_array_get_element (args[0].array, i), &v);
      if (!_deca_value_is_number (&v))
        return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                                 _("sum(): element %u is a %s, not a number"), i,
                                 _deca_value_type_name (&v));
      if (!is_double && v.type == DECA_VALUE_INT)
        {
          gint64 next;

          if (!__builtin_add_overflow (total, v.integer, &next))
            {
              total = next;
              continue;
            }
        }
      if (!is_double)
        {
          /* Switch to doubles, keeping what was summed so far. */
          is_double = TRUE;
          dtotal = (double) total;
        }
      dtotal += _deca_value_as_double (&v);
    }
  if (!is_double)
    {
      set_int (result, total);
      return TRUE;
    }
  if (!isfinite (dtotal))
    return set_number (eval, call, dtotal, result);
  result->type = DECA_VALUE_DOUBLE;
  result->dbl = dtotal;
  return TRUE;
}

/* Dates */

static char *
format_iso8601 (GDateTime *dt)
{
  g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (dt) / 1000);
}

FN (now)
{
  gint64 us = eval->scope != NULL && eval->scope->now_us != 0 ? eval->scope->now_us
                                                               : g_get_real_time ();
  g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
  g_autoptr(GDateTime) dt = g_date_time_add (epoch, us);
  char *s;

  if (dt == NULL)
    return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                             _("now(): time out of range"));
  s = format_iso8601 (dt);
  return _deca_eval_take_string (eval, call, s, strlen (s), result);
}

/* Reads a date argument: an ISO 8601 string (UTC when it has no offset) or a number of
 * seconds since the epoch. Returns (transfer full) a UTC GDateTime or NULL with an error. */
static GDateTime *
date_argument (DecaEval        *eval,
               const DecaAst   *call,
               const DecaValue *v)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (v->type == DECA_VALUE_STRING)
    dt = g_date_time_new_from_iso8601 (v->string, utc);
  else if (_deca_value_is_number (v))
    {
      double seconds = _deca_value_as_double (v);

      /* GDateTime covers the years 1 to 9999. */
      if (seconds > -62135596800.0 && seconds < 253402300800.0)
        {
          g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);

          dt = g_date_time_add (epoch, (GTimeSpan) (seconds * G_USEC_PER_SEC));
        }
    }
  else
    {
      arg_error (eval, call, 0, N_("a date string or a number"), v);
      return NULL;
    }

  if (dt == NULL)
    {
      _deca_eval_error (eval, call->children[0], DECA_ENGINE_ERROR_EVALUATION,
                        _("%s(): not a valid date"), call->function->name);
      return NULL;
    }
  return g_date_time_to_utc (dt);
}

FN (format_date)
{
  g_autoptr(GDateTime) dt = NULL;
  char *s;

  REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
  dt = date_argument (eval, call, &args[0]);
  if (dt == NULL)
    return FALSE;
  s = g_date_time_format (dt, args[1].string);
  if (s == NULL)
    return _deca_eval_error (eval, call->children[1], DECA_ENGINE_ERROR_EVALUATION,
                             _("format_date(): invalid format"));
  return _deca_eval_take_string (eval, call, s, strlen (s), result);
}

FN (parse_date)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 seconds;
  int us;

  REQUIRE (0, DECA_VALUE_STRING, N_("a string"));
  dt = date_argument (eval, call, &args[0]);
  if (dt == NULL)
    return FALSE;
  seconds = g_date_time_to_unix (dt);
  us = g_date_time_get_microsecond (dt);
  if (us == 0)
    set_int (result, seconds);
  else
    {
      result->type = DECA_VALUE_DOUBLE;
      result->dbl = (double) seconds + us / 1e6;
    }
  return TRUE;
}

/* Null handling */

FN (default)
{
  *result = args[0].type == DECA_VALUE_NULL ? args[1] : args[0];
  return TRUE;
}

FN (coalesce)
{
  for (guint i = 0; i < n_args; i++)
    if (args[i].type != DECA_VALUE_NULL)
      {
        *result = args[i];
        return TRUE;
      }
  result->type = DECA_VALUE_NULL;
  return TRUE;
}

FN (type)
{
  result->type = DECA_VALUE_STRING;
  result->string = _deca_value_type_name (&args[0]);
  return TRUE;
}

/* Arrays (and strings where it makes sense) */

/* Resolves a slice bound: negative counts from the end, then clamped to [0, n]. */
static gint64
clamp_bound (gint64 i,
             gint64 n)
{
  if (i < 0)
    i += n;
  return CLAMP (i, 0, n);
}

static gboolean
int_argument (DecaEval      *eval,
              const DecaAst *call,
              const DecaValue *args,
              guint          i,
              gint64        *out)
{
  if (args[i].type == DECA_VALUE_INT)
    {
      *out = args[i].integer;
      return TRUE;
    }
  if (args[i].type == DECA_VALUE_DOUBLE && args[i].dbl == floor (args[i].dbl)
      && fabs (args[i].dbl) < 9007199254740992.0)
    {
      *out = (gint64) args[i].dbl;
      return TRUE;
    }
  return arg_error (eval, call, i, N_("an integer"), &args[i]);
}

FN (slice)
{
  gint64 start, end, n;

  if (!int_argument (eval, call, args, 1, &start))
    return FALSE;
  if (args[0].type == DECA_VALUE_ARRAY)
    n = json_array_get_length (args[0].array);
  else if (args[0].type == DECA_VALUE_STRING)
    n = g_utf8_strlen (args[0].string, -1);
  else
    return arg_error (eval, call, 0, N_("an array or a string"), &args[0]);
  end = n;
  if (n_args > 2 && args[2].type != DECA_VALUE_NULL && !int_argument (eval, call, args, 2, &end))
    return FALSE;
  start = clamp_bound (start, n);
  end = clamp_bound (end, n);
  if (end < start)
    end = start;

  if (args[0].type == DECA_VALUE_STRING)
    {
      const char *p = g_utf8_offset_to_pointer (args[0].string, (glong) start);
      const char *q = g_utf8_offset_to_pointer (p, (glong) (end - start));

      return take_dup (eval, call, p, q - p, result);
    }
  else
    {
      JsonArray *array;

      if (!element_limit (eval, call, end - start))
        return FALSE;
      array = json_array_sized_new ((guint) (end - start));
      for (gint64 i = start; i < end; i++)
        json_array_add_element (array,
                                json_node_copy (json_array_get_element (args[0].array,
                                                                        (guint) i)));
      return _deca_eval_take_array (eval, call, array, result);
    }
}

static gboolean
first_last (DecaEval        *eval,
            const DecaAst   *call,
            const DecaValue *args,
            gboolean         last,
            DecaValue       *result)
{
  result->type = DECA_VALUE_NULL;
  if (args[0].type == DECA_VALUE_ARRAY)
    {
      guint n = json_array_get_length (args[0].array);

      if (n > 0)
        _deca_value_from_node (json_array_get_element (args[0].array, last ? n - 1 : 0),
                               result);
      return TRUE;
    }
  if (args[0].type == DECA_VALUE_STRING)
    {
      const char *s = args[0].string;
      const char *p;

      if (*s == '\0')
        return TRUE;
      p = last ? g_utf8_find_prev_char (s, s + strlen (s)) : s;
      return take_dup (eval, call, p, g_utf8_next_char (p) - p, result);
    }
  if (args[0].type == DECA_VALUE_NULL)
    return TRUE;
  return arg_error (eval, call, 0, N_("an array or a string"), &args[0]);
}

FN (first)
{
  return first_last (eval, call, args, FALSE, result);
}

FN (last)
{
  return first_last (eval, call, args, TRUE, result);
}

FN (reverse)
{
  if (args[0].type == DECA_VALUE_STRING)
    {
      char *s = g_utf8_strreverse (args[0].string, -1);

      return _deca_eval_take_string (eval, call, s, strlen (s), result);
    }
  if (args[0].type == DECA_VALUE_ARRAY)
    {
      guint n = json_array_get_length (args[0].array);
      JsonArray *array;

      if (!element_limit (eval, call, n))
        return FALSE;
      array = json_array_sized_new (n);
      for (guint i = n; i > 0; i--)
        json_array_add_element (array,
                                json_node_copy (json_array_get_element (args[0].array, i - 1)));
      return _deca_eval_take_array (eval, call, array, result);
    }
  return arg_error (eval, call, 0, N_("an array or a string"), &args[0]);
}

typedef struct {
  DecaValue value;
  JsonNode *node;
} SortItem;

static gint
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const DecaValue *x = &((const SortItem *) a)->value;
  const DecaValue *y = &((const SortItem *) b)->value;

  if (x->type == DECA_VALUE_STRING)
    return strcmp (x->string, y->string);
  if (x->type == DECA_VALUE_INT && y->type == DECA_VALUE_INT)
    return (x->integer > y->integer) - (x->integer < y->integer);
  return (_deca_value_as_double (x) > _deca_value_as_double (y))
         - (_deca_value_as_double (x) < _deca_value_as_double (y));
}

FN (sort)
{
  guint n;
  g_autofree SortItem *items = NULL;
  gboolean strings = FALSE;
  JsonArray *array;

  REQUIRE (0, DECA_VALUE_ARRAY, N_("an array"));
  n = json_array_get_length (args[0].array);
  if (!element_limit (eval, call, n))
    return FALSE;
  /* n log n comparisons. */
  if (!_deca_eval_charge (eval, call, n * (g_bit_storage (n) + 1)))
    return FALSE;

  items = g_new (SortItem, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      items[i].node = json_array_get_element (args[0].array, i);
      _deca_value_from_node (items[i].node, &items[i].value);
      if (i == 0)
        strings = items[i].value.type == DECA_VALUE_STRING;
      if (strings ? items[i].value.type != DECA_VALUE_STRING
                  : !_deca_value_is_number (&items[i].value))
        return _deca_eval_error (eval, call, DECA_ENGINE_ERROR_EVALUATION,
                                 _("sort(): needs an array of only numbers or only strings "
                                 "(element %u is a %s)"), i,
                                 _deca_value_type_name (&items[i].value));
    }
  /* g_qsort_with_data is a stable merge sort. */
  g_qsort_with_data (items, (gint) n, sizeof (SortItem), compare_items, NULL);

  array = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    json_array_add_element (array, json_node_copy (items[i].node));
  return _deca_eval_take_array (eval, call, array, result);
}

FN (unique)
{
  guint n;
  g_autoptr(GHashTable) seen = NULL;
  JsonArray *array;
  gsize bytes = 0;

  REQUIRE (0, DECA_VALUE_ARRAY, N_("an array"));
  n = json_array_get_length (args[0].array);
  if (!element_limit (eval, call, n))
    return FALSE;

  /* Elements are compared by their canonical JSON (sorted keys), which is strict deep
   * equality in linear time. */
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  array = json_array_new ();
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (args[0].array, i);
      GString *key = g_string_new (NULL);
      DecaValue v;

      _deca_value_from_node (node, &v);
      if (!_deca_value_append_json (key, &v, TRUE, DECA_EXPR_MAX_STRING)
          || (bytes += key->len) > DECA_EXPR_MAX_TOTAL)
        {
          g_string_free (key, TRUE);
          json_array_unref (array);
          return limit_error (eval, call);
        }
      if (g_hash_table_add (seen, g_string_free (key, FALSE)))
        json_array_add_element (array, json_node_copy (node));
    }
  return _deca_eval_take_array (eval, call, array, result);
}

FN (index_of)
{
  gint64 position = -1;

  if (args[0].type == DECA_VALUE_ARRAY)
    {
      if (!array_contains (eval, call, args[0].array, &args[1], &position))
        return FALSE;
    }
  else if (args[0].type == DECA_VALUE_STRING)
    {
      const char *p;

      REQUIRE (1, DECA_VALUE_STRING, N_("a string"));
      p = strstr (args[0].string, args[1].string);
      if (p != NULL)
        position = g_utf8_pointer_to_offset (args[0].string, p);
    }
  else
    return arg_error (eval, call, 0, N_("an array or a string"), &args[0]);
  set_int (result, position);
  return TRUE;
}

#define VARIADIC DECA_EXPR_MAX_ARGS

/* Sorted by name for bsearch. */
static const DecaExprFunction functions[] = {
  { "abs", 1, 1, fn_abs },
  { "boolean", 1, 1, fn_boolean },
  { "ceil", 1, 1, fn_ceil },
  { "coalesce", 1, VARIADIC, fn_coalesce },
  { "contains", 2, 2, fn_contains },
  { "default", 2, 2, fn_default },
  { "ends_with", 2, 2, fn_ends_with },
  { "first", 1, 1, fn_first },
  { "floor", 1, 1, fn_floor },
  { "format_date", 2, 2, fn_format_date },
  { "index_of", 2, 2, fn_index_of },
  { "int", 1, 1, fn_int },
  { "join", 1, 2, fn_join },
  { "json", 1, 1, fn_json },
  { "keys", 1, 1, fn_keys },
  { "last", 1, 1, fn_last },
  { "length", 1, 1, fn_length },
  { "lower", 1, 1, fn_lower },
  { "max", 1, VARIADIC, fn_max },
  { "min", 1, VARIADIC, fn_min },
  { "now", 0, 0, fn_now },
  { "number", 1, 1, fn_number },
  { "parse_date", 1, 1, fn_parse_date },
  { "replace", 3, 3, fn_replace },
  { "reverse", 1, 1, fn_reverse },
  { "round", 1, 2, fn_round },
  { "slice", 2, 3, fn_slice },
  { "sort", 1, 1, fn_sort },
  { "split", 2, 2, fn_split },
  { "starts_with", 2, 2, fn_starts_with },
  { "string", 1, 1, fn_string },
  { "sum", 1, 1, fn_sum },
  { "to_json", 1, 1, fn_to_json },
  { "trim", 1, 1, fn_trim },
  { "type", 1, 1, fn_type },
  { "unique", 1, 1, fn_unique },
  { "upper", 1, 1, fn_upper },
  { "values", 1, 1, fn_values },
};

/* Returns the function called @name (@len bytes, not NUL-terminated), or NULL. */
const DecaExprFunction *
_deca_expr_lookup_function (const char *name,
                            gsize       len)
{
  gsize lo = 0, hi = G_N_ELEMENTS (functions);

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      const char *candidate = functions[mid].name;
      int c = strncmp (candidate, name, len);

      if (c == 0 && candidate[len] != '\0')
        c = 1;
      if (c == 0)
        return &functions[mid];
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

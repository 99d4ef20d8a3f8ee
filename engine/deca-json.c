#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <time.h>
#include <math.h>

#include "deca-json.h"
#include "deca-engine-error.h"

#define REDACTED "[redacted]"

/* json-glib reports "<data>:LINE:COLUMN: Parse error: what"; turn that into our format. */
static char *
reformat_parse_error (const char *message)
{
  const char *p = message;
  char *end;
  guint64 line, column;

  if (g_str_has_prefix (p, "<data>:"))
    p += strlen ("<data>:");
  line = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return g_strdup (message);
  p = end + 1;
  column = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != ':')
    return g_strdup (message);
  p = end + 1;
  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "Parse error: "))
    p += strlen ("Parse error: ");
  return g_strdup_printf ("line %" G_GUINT64_FORMAT ", column %" G_GUINT64_FORMAT ": %s",
                          line, column, p);
}

/* TRUE when the first @len bytes of @data (not necessarily NUL-terminated) are all JSON
 * whitespace, or @len is 0. */
static gboolean
only_whitespace (const char *data,
                 gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return TRUE;
}

/* --- the quick parser (deca_json_try_parse) ------------------------------------------
 *
 * json-glib's parser tokenises with a GScanner and builds the tree through a stack of
 * its own; for the small bodies of webhook calls that was most of a request's parsing
 * cost. This one takes only what it can be sure json-glib reads the same way and leaves
 * everything else (and every error, with its line and column) to json-glib. */

#define TRY_PARSE_MAX_DEPTH 64

typedef struct {
  const char *p;
  const char *end;
  guint depth;
  GString *text;   /* the last string read (try_string()), reused for every string */
} TryParser;

static JsonNode *try_value (TryParser *parser);

static inline void
try_skip_space (TryParser *parser)
{
  while (parser->p < parser->end
         && (*parser->p == ' ' || *parser->p == '\n' || *parser->p == '\r' || *parser->p == '\t'))
    parser->p++;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits after "\u"; -1 when they are not. */
static int
try_hex4 (TryParser *parser)
{
  int value = 0;

  if (parser->end - parser->p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_digit (parser->p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  parser->p += 4;
  return value;
}

/* A string, the opening quote at p; returns its text, which parser->text holds until
 * the next string (json-glib copies what it keeps: no allocation of ours per string),
 * or NULL. */
static const char *
try_string (TryParser *parser)
{
  GString *text = parser->text;

  parser->p++;
  g_string_truncate (text, 0);
  for (;;)
    {
      const char *run = parser->p;

      while (parser->p < parser->end && *parser->p != '"' && *parser->p != '\\'
             && (guchar) *parser->p >= 0x20)
        parser->p++;
      if (parser->p >= parser->end || (guchar) *parser->p < 0x20)
        return NULL;
      g_string_append_len (text, run, parser->p - run);
      if (*parser->p == '"')
        {
          parser->p++;
          return text->str;
        }
      /* A backslash. */
      if (++parser->p >= parser->end)
        return NULL;
      switch (*parser->p++)
        {
        case '"': g_string_append_c (text, '"'); break;
        case '\\': g_string_append_c (text, '\\'); break;
        case '/': g_string_append_c (text, '/'); break;
        case 'b': g_string_append_c (text, '\b'); break;
        case 'f': g_string_append_c (text, '\f'); break;
        case 'n': g_string_append_c (text, '\n'); break;
        case 'r': g_string_append_c (text, '\r'); break;
        case 't': g_string_append_c (text, '\t'); break;
        case 'u':
          {
            int unit = try_hex4 (parser);
            gunichar c;

            if (unit <= 0 || (unit >= 0xdc00 && unit <= 0xdfff))
              return NULL;
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                int low;

                if (parser->end - parser->p < 2 || parser->p[0] != '\\' || parser->p[1] != 'u')
                  return NULL;
                parser->p += 2;
                low = try_hex4 (parser);
                if (low < 0xdc00 || low > 0xdfff)
                  return NULL;
                c = 0x10000 + (((gunichar) unit - 0xd800) << 10) + ((gunichar) low - 0xdc00);
              }
            else
              c = (gunichar) unit;
            g_string_append_unichar (text, c);
          }
          break;
        default:
          return NULL;
        }
    }
}

/* A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?, integers of at most 18 digits. */
static JsonNode *
try_number (TryParser *parser)
{
  const char *start = parser->p;
  const char *digits;
  gboolean fraction = FALSE;
  char buffer[64];
  JsonNode *node;

  if (*parser->p == '-')
    parser->p++;
  digits = parser->p;
  if (parser->p >= parser->end || !g_ascii_isdigit (*parser->p))
    return NULL;
  if (*parser->p == '0')
    parser->p++;
  else
    while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
      parser->p++;
  if (parser->p < parser->end && *parser->p == '.')
    {
      const char *after_point = ++parser->p;

      while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        parser->p++;
      if (parser->p == after_point)
        return NULL;
      fraction = TRUE;
    }
  if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E' || g_ascii_isdigit (*parser->p)))
    return NULL;
  if ((gsize) (parser->p - start) >= sizeof buffer || (!fraction && parser->p - digits > 18))
    return NULL;
  memcpy (buffer, start, parser->p - start);
  buffer[parser->p - start] = '\0';

  node = json_node_alloc ();
  if (fraction)
    {
      double value = g_ascii_strtod (buffer, NULL);

      if (!isfinite (value))
        {
          json_node_free (node);
          return NULL;
        }
      json_node_init_double (node, value);
    }
  else
    json_node_init_int (node, g_ascii_strtoll (buffer, NULL, 10));
  return node;
}

static gboolean
try_literal (TryParser  *parser,
             const char *word,
             gsize       len)
{
  if ((gsize) (parser->end - parser->p) < len || memcmp (parser->p, word, len) != 0)
    return FALSE;
  parser->p += len;
  return TRUE;
}

static JsonNode *
try_object (TryParser *parser)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  parser->p++;
  try_skip_space (parser);
  if (parser->p < parser->end && *parser->p == '}')
    parser->p++;
  else
    for (;;)
      {
        /* The name outlives the strings of the value: a copy, on the stack when short. */
        char buffer[64];
        g_autofree char *allocated = NULL;
        const char *text;
        char *name;
        JsonNode *value;
        guint size;

        if (parser->p >= parser->end || *parser->p != '"' || !(text = try_string (parser)))
          goto fail;
        if (parser->text->len < sizeof buffer)
          name = memcpy (buffer, text, parser->text->len + 1);
        else
          name = allocated = g_strndup (text, parser->text->len);
        try_skip_space (parser);
        if (parser->p >= parser->end || *parser->p != ':')
          goto fail;
        parser->p++;
        try_skip_space (parser);
        if (!(value = try_value (parser)))
          goto fail;
        /* A name given twice is json-glib's to judge: it shows as a size that did not
         * grow (the whole tree is dropped then). */
        size = json_object_get_size (object);
        json_object_set_member (object, name, value);
        if (json_object_get_size (object) == size)
          goto fail;
        try_skip_space (parser);
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            try_skip_space (parser);
            continue;
          }
        if (parser->p < parser->end && *parser->p == '}')
          {
            parser->p++;
            break;
          }
        goto fail;
      }
  node = json_node_alloc ();
  json_node_init_object (node, object);
  json_object_unref (object);
  return node;

fail:
  json_object_unref (object);
  return NULL;
}

static JsonNode *
try_array (TryParser *parser)
{
  JsonArray *array = json_array_new ();
  JsonNode *node;

  parser->p++;
  try_skip_space (parser);
  if (parser->p < parser->end && *parser->p == ']')
    parser->p++;
  else
    for (;;)
      {
        JsonNode *value = try_value (parser);

        if (value == NULL)
          goto fail;
        json_array_add_element (array, value);
        try_skip_space (parser);
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            try_skip_space (parser);
            continue;
          }
        if (parser->p < parser->end && *parser->p == ']')
          {
            parser->p++;
            break;
          }
        goto fail;
      }
  node = json_node_alloc ();
  json_node_init_array (node, array);
  json_array_unref (array);
  return node;

fail:
  json_array_unref (array);
  return NULL;
}

/* A value at p (no space before it). */
static JsonNode *
try_value (TryParser *parser)
{
  JsonNode *node = NULL;

  if (parser->p >= parser->end)
    return NULL;
  switch (*parser->p)
    {
    case '{':
    case '[':
      if (++parser->depth > TRY_PARSE_MAX_DEPTH)
        return NULL;
      node = *parser->p == '{' ? try_object (parser) : try_array (parser);
      parser->depth--;
      return node;
    case '"':
      {
        const char *text = try_string (parser);

        if (text == NULL)
          return NULL;
        return json_node_init_string (json_node_alloc (), text);
      }
    case 't':
      return try_literal (parser, "true", 4) ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return try_literal (parser, "false", 5) ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n':
      return try_literal (parser, "null", 4) ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      return try_number (parser);
    }
}

JsonNode *
deca_json_try_parse (const char *data,
                     gsize       length)
{
  TryParser parser = { data, data + length, 0, NULL };
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  parser.text = g_string_sized_new (64);
  try_skip_space (&parser);
  root = try_value (&parser);
  g_string_free (parser.text, TRUE);
  if (root == NULL)
    return NULL;
  try_skip_space (&parser);
  if (parser.p != parser.end)
    {
      json_node_unref (root);
      return NULL;
    }
  return root;
}

JsonNode *
deca_json_parse (const char  *data,
                 gssize       length,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  len = length < 0 ? strlen (data) : (gsize) length;
  if (only_whitespace (data, len))
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                           _("the document is empty"));
      return NULL;
    }
  /* json-glib stops at an embedded NUL and would accept a truncated document. */
  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("byte %lu: the document contains a NUL byte"),
                   (unsigned long) ((const char *) memchr (data, '\0', len) - data));
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      const char *bad;

      g_utf8_validate (data, len, &bad);
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("byte %lu: the document is not valid UTF-8"),
                   (unsigned long) (bad - data));
      return NULL;
    }
  if ((root = deca_json_try_parse (data, len)) != NULL)
    return root;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_autofree char *message = reformat_parse_error (local_error->message);

      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                           _("the document is empty"));
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* Appends @text as a JSON string literal, escaping what JSON requires. */
void
deca_json_append_string (GString    *out,
                         const char *text)
{
  /* The bytes a string literal cannot hold as they are: controls, '"' and '\\' (and the
   * NUL that ends @text). */
  static const guint8 special[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
    ['"'] = 1, ['\\'] = 1,
  };

  const unsigned char *p = (const unsigned char *) text;
  gsize at;

  /* Most strings have nothing to escape: measured, then written in one go, rather than
   * through g_string_append_len() (a call into g_string_insert_len() per piece). */
  while (!special[*p])
    p++;
  if (*p == '\0')
    {
      gsize length = p - (const unsigned char *) text;

      at = out->len;
      g_string_set_size (out, at + length + 2);
      out->str[at] = '"';
      memcpy (out->str + at + 1, text, length);
      out->str[at + length + 1] = '"';
      return;
    }

  g_string_append_c (out, '"');
  for (p = (const unsigned char *) text; *p; p++)
    {
      const unsigned char *run = p;

      /* Copy runs of plain characters at once. */
      while (!special[*p])
        p++;
      if (p > run)
        g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default: g_string_append_printf (out, "\\u%04x", *p); break;
        }
    }
  g_string_append_c (out, '"');
}

/* Writes @value the way "%.15g" does when it is a decimal of at most 15 significant
 * digits, at most 6 of them after the point, that reads back as @value: the amounts and
 * measures of everyday data, without g_ascii_formatd(), which cost most of writing a
 * small document. Such a text is what "%.15g" gives: @value is within half an ulp of it,
 * far less than half a unit of its 15th digit, so rounding @value to 15 digits gives it
 * back, and magnitudes from 1e-4 to below 1e15 are those it writes without an exponent.
 * Returns FALSE, leaving @buffer undefined, for any other value. */
static gboolean
format_short_decimal (double  value,
                      char   *buffer,
                      gsize   size)
{
  static const double scales[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
  double magnitude = fabs (value);

  /* A sign, 15 digits, a point, 5 leading zeros ("0.00001") and the NUL fit in 32. */
  if (!(magnitude >= 1e-4 && magnitude < 1e15) || size < 32)
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (scales); k++)
    {
      double scaled = magnitude * scales[k];
      char digits[24];     /* least significant first */
      guint n_digits = 0, skip = 0, fraction = k;
      guint64 n;
      char *p = buffer;

      if (scaled >= 1e15)
        return FALSE;
      if (scaled != floor (scaled))
        continue;
      n = (guint64) scaled;
      do
        {
          digits[n_digits++] = (char) ('0' + n % 10);
          n /= 10;
        }
      while (n > 0);
      /* "%g" drops the fraction's trailing zeros. */
      while (fraction > 0 && digits[skip] == '0')
        {
          skip++;
          fraction--;
        }
      if (value < 0)
        *p++ = '-';
      if (n_digits - skip <= fraction)
        *p++ = '0';
      else
        for (guint i = n_digits; i > skip + fraction; i--)
          *p++ = digits[i - 1];
      if (fraction > 0)
        {
          guint shown = MIN (n_digits - skip, fraction);

          *p++ = '.';
          for (guint i = shown; i < fraction; i++)
            *p++ = '0';
          for (guint i = skip + shown; i > skip; i--)
            *p++ = digits[i - 1];
        }
      *p = '\0';
      /* Without a scale the text is @value itself, an integer below 2^53. */
      return k == 0 || g_ascii_strtod (buffer, NULL) == value;
    }
  return FALSE;
}

void
deca_json_format_double (double  value,
                         char   *buffer,
                         gsize   size)
{
  /* %.15g is exact for every double whose shortest form has at most 15 digits (it rounds
   * the binary value to the same text), so only the rest need 16 or 17. */
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };

  if (format_short_decimal (value, buffer, size))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, (int) size, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return;
    }
}

/* Integral values keep a ".0" so they read back as doubles; non-finite ones (which JSON
 * cannot hold) become null. */
void
deca_json_append_double (GString *out,
                         double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  deca_json_format_double (value, buffer, sizeof buffer);
  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static void
append_indent (GString *out,
               int      depth)
{
  g_string_append_c (out, '\n');
  for (int i = 0; i < depth; i++)
    g_string_append_len (out, "  ", 2);
}

/* The decimal digits of @value: what "%" G_GINT64_FORMAT prints, without printf's
 * machinery, which cost more than the rest of writing a small node result. */
static void
append_int (GString *out,
            gint64   value)
{
  char buffer[24];
  char *p = buffer + sizeof buffer;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude > 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, buffer + sizeof buffer - p);
}

static void
append_node (GString  *out,
             JsonNode *node,
             int       depth)
{
  gboolean pretty = depth >= 0;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        /* In insertion order, as json_object_get_members() gives them, without copying
         * the list of names for every object. */
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        g_string_append_c (out, '{');
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            if (pretty)
              append_indent (out, depth + 1);
            deca_json_append_string (out, name);
            if (pretty)
              g_string_append_len (out, ": ", 2);
            else
              g_string_append_c (out, ':');
            append_node (out, member, pretty ? depth + 1 : -1);
          }
        if (pretty && !first)
          append_indent (out, depth);
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < length; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            if (pretty)
              append_indent (out, depth + 1);
            append_node (out, json_array_get_element (array, i), pretty ? depth + 1 : -1);
          }
        if (pretty && length > 0)
          append_indent (out, depth);
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          deca_json_append_string (out, json_node_get_string (node));
          break;
        case G_TYPE_INT64:
          append_int (out, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          deca_json_append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

const char *
deca_json_type_name (JsonNode *node)
{
  if (node == NULL)
    return "nothing";
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "string";
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return "number";
    default:
      return "value";
    }
}

/* Our own writer rather than JsonGenerator: json-glib 1.6 prints doubles with 17 digits
 * ("0.10000000000000001") and empty objects as "{    }", and this is on the checkpoint
 * path of every node. */
/* The buffer each thread writes its documents into, kept from one call to the next: a
 * GString of its own for every document was two allocations and as many reallocations
 * as it grew, on the checkpoint path of every node. A buffer grown past
 * SCRATCH_KEEP_BYTES by a large document is not kept. */
#define SCRATCH_KEEP_BYTES (64 * 1024)

static void
scratch_free (gpointer data)
{
  g_string_free (data, TRUE);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

char *
deca_json_to_string (JsonNode *node,
                     gboolean  pretty)
{
  GString *out = g_private_get (&scratch_key);
  char *text;

  if (out == NULL)
    {
      out = g_string_sized_new (1024);
      g_private_set (&scratch_key, out);
    }
  g_string_truncate (out, 0);
  if (node == NULL)
    g_string_append (out, "null");
  else
    append_node (out, node, pretty ? 0 : -1);
  text = g_memdup2 (out->str, out->len + 1);
  if (out->allocated_len > SCRATCH_KEEP_BYTES)
    /* Replaced, and the big one freed (g_private_replace() calls scratch_free()). */
    g_private_replace (&scratch_key, g_string_sized_new (1024));
  return text;
}

char *
deca_string_redact (const char *text,
                    GHashTable *secrets)
{
  GHashTableIter iter;
  gpointer key;
  GString *result = NULL;

  if (text == NULL)
    return NULL;
  if (secrets == NULL || g_hash_table_size (secrets) == 0)
    return g_strdup (text);

  g_hash_table_iter_init (&iter, secrets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *secret = key;

      if (secret[0] == '\0' || strstr (result ? result->str : text, secret) == NULL)
        continue;
      if (result == NULL)
        result = g_string_new (text);
      g_string_replace (result, secret, REDACTED, 0);
    }
  return result ? g_string_free (result, FALSE) : g_strdup (text);
}

static gboolean
string_needs_redaction (const char *text,
                        GHashTable *secrets)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, secrets);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (((const char *) key)[0] != '\0' && strstr (text, key) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
node_needs_redaction (JsonNode   *node,
                      GHashTable *secrets)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) == G_TYPE_STRING &&
             string_needs_redaction (json_node_get_string (node), secrets);
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (node_needs_redaction (json_array_get_element (array, i), secrets))
            return TRUE;
        return FALSE;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (string_needs_redaction (name, secrets) || node_needs_redaction (member, secrets))
            return TRUE;
        return FALSE;
      }
    case JSON_NODE_NULL:
    default:
      return FALSE;
    }
}

static JsonNode *
redact_copy (JsonNode   *node,
             GHashTable *secrets)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *text = deca_string_redact (json_node_get_string (node), secrets);

          return json_node_init_string (json_node_alloc (), text);
        }
      return json_node_copy (node);
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        JsonArray *copy = json_array_sized_new (json_array_get_length (array));
        JsonNode *result = json_node_new (JSON_NODE_ARRAY);

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (copy, redact_copy (json_array_get_element (array, i), secrets));
        json_node_take_array (result, copy);
        return result;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObject *copy = json_object_new ();
        JsonNode *result = json_node_new (JSON_NODE_OBJECT);
        /* The member list, not JsonObjectIter: json-glib 1.6 iterates its hash table, and
         * a redacted copy must keep the members in the order they were written. */
        g_autoptr(GList) names = json_object_get_members (object);

        for (GList *l = names; l != NULL; l = l->next)
          {
            g_autofree char *redacted_name = deca_string_redact (l->data, secrets);

            json_object_set_member (copy, redacted_name,
                                    redact_copy (json_object_get_member (object, l->data), secrets));
          }
        json_node_take_object (result, copy);
        return result;
      }
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

JsonNode *
deca_json_redact (JsonNode   *node,
                  GHashTable *secrets)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (secrets == NULL || g_hash_table_size (secrets) == 0 || !node_needs_redaction (node, secrets))
    return json_node_ref (node);
  return redact_copy (node, secrets);
}

void
deca_format_time_iso8601 (gint64  time_us,
                          char   *buffer,
                          gsize   size)
{
  time_t seconds = (time_t) (time_us / G_USEC_PER_SEC);
  struct tm tm;

  /* gmtime_r and not GDateTime: this runs for every event, and is ten times cheaper. */
  if (gmtime_r (&seconds, &tm) == NULL)
    {
      g_strlcpy (buffer, "1970-01-01T00:00:00.000Z", size);
      return;
    }
  if (size < 25)
    {
      g_strlcpy (buffer, "", size);
      return;
    }
  {
    int fields[] = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int) ((time_us % G_USEC_PER_SEC) / 1000) };
    static const int widths[] = { 4, 2, 2, 2, 2, 2, 3 };
    static const char separators[] = { '-', '-', 'T', ':', ':', '.', 'Z' };
    char *p = buffer;

    /* By hand and not with printf: this runs for every event. */
    for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
      {
        int value = CLAMP (fields[f], 0, 9999);

        for (int d = widths[f] - 1; d >= 0; d--)
          {
            p[d] = (char) ('0' + value % 10);
            value /= 10;
          }
        p += widths[f];
        *p++ = separators[f];
      }
    *p = '\0';
  }
}

JsonObject *
deca_json_object_deep_copy (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (object);

  /* The member list, not JsonObjectIter, whose order is its hash table's. */
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, deca_json_deep_copy (json_object_get_member (object, l->data)));
  return copy;
}

JsonNode *
deca_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (node == NULL)
    return NULL;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      copy = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (copy, deca_json_object_deep_copy (json_node_get_object (node)));
      return copy;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);
        JsonArray *result = json_array_sized_new (length);

        for (guint i = 0; i < length; i++)
          json_array_add_element (result, deca_json_deep_copy (json_array_get_element (array, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (copy, result);
        return copy;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      /* Scalars hold no shared containers: a plain copy is already independent. */
      return json_node_copy (node);
    }
}

/* A copy of @node with values of its own, unsealed. */
static JsonNode *
copy_private (JsonNode *node)
{
  JsonNode *copy = json_node_alloc ();

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          json_object_set_member (object, name, copy_private (member));
        json_node_init_object (copy, object);
        json_object_unref (object);
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);
        JsonArray *result = json_array_sized_new (length);

        for (guint i = 0; i < length; i++)
          json_array_add_element (result, copy_private (json_array_get_element (array, i)));
        json_node_init_array (copy, result);
        json_array_unref (result);
        return copy;
      }
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return json_node_init_string (copy, json_node_get_string (node));
        case G_TYPE_INT64:
          return json_node_init_int (copy, json_node_get_int (node));
        case G_TYPE_DOUBLE:
          return json_node_init_double (copy, json_node_get_double (node));
        case G_TYPE_BOOLEAN:
          return json_node_init_boolean (copy, json_node_get_boolean (node));
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  return json_node_init_null (copy);
}

JsonNode *
deca_json_copy_sealed (JsonNode *node)
{
  JsonNode *copy;

  g_return_val_if_fail (node != NULL, NULL);

  copy = copy_private (node);
  json_node_seal (copy);
  return copy;
}

const char *
deca_json_object_get_string (JsonObject *object,
                             const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

JsonObject *
deca_json_object_get_object (JsonObject *object,
                             const char *name)
{
  JsonNode *member = object != NULL ? json_object_get_member (object, name) : NULL;

  return member != NULL && JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
}

gboolean
deca_json_node_get_number (JsonNode *node,
                           double   *value)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      if (value != NULL)
        *value = (double) json_node_get_int (node);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      if (value != NULL)
        *value = json_node_get_double (node);
      return TRUE;
    }
  return FALSE;
}

gboolean
deca_json_object_get_number (JsonObject *object,
                             const char *name,
                             double     *value)
{
  return object != NULL && deca_json_node_get_number (json_object_get_member (object, name), value);
}

GStrv
deca_json_pointer_split (const char *pointer)
{
  char **tokens;

  g_return_val_if_fail (pointer != NULL, NULL);

  if (pointer[0] == '\0')
    return g_new0 (char *, 1);
  if (pointer[0] != '/')
    {
      tokens = g_new0 (char *, 2);
      tokens[0] = g_strdup (pointer);
      return tokens;
    }
  tokens = g_strsplit (pointer + 1, "/", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      GString *token;

      if (strchr (tokens[i], '~') == NULL)
        continue;
      /* ~1 is "/" and ~0 is "~", read in one pass from the left: replacing all ~1 first
       * and then all ~0 would read "~01" as "/" instead of "~1". */
      token = g_string_new (NULL);
      for (const char *p = tokens[i]; *p != '\0'; p++)
        {
          if (p[0] == '~' && p[1] == '1')
            g_string_append_c (token, '/'), p++;
          else if (p[0] == '~' && p[1] == '0')
            g_string_append_c (token, '~'), p++;
          else
            g_string_append_c (token, *p);
        }
      g_free (tokens[i]);
      tokens[i] = g_string_free (token, FALSE);
    }
  return tokens;
}

JsonNode *
deca_json_object_lookup (JsonObject *object,
                         const char *pointer)
{
  g_auto(GStrv) tokens = NULL;
  JsonNode *node = NULL;

  g_return_val_if_fail (pointer != NULL, NULL);

  tokens = deca_json_pointer_split (pointer);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      if (object == NULL || !json_object_has_member (object, tokens[i]))
        return NULL;
      node = json_object_get_member (object, tokens[i]);
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  return node;
}

gboolean
deca_json_text_too_deep (const char *text,
                         gsize       length,
                         guint       max_depth,
                         gsize      *offset)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              if (offset)
                *offset = i;
              return TRUE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return FALSE;
}

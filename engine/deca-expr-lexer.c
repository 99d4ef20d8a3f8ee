/* deca-expr-lexer.c: tokens of the expression language (docs/expressions.md)
 *
 * The lexer works on a byte range of a larger source so that expressions embedded in a
 * template report offsets into the template. Its only allocation is the decoded value of
 * a string literal.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expr-private.h"

#include <errno.h>
#include <math.h>
#include <string.h>

gboolean
_deca_is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || c == '$';
}

gboolean
_deca_is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$';
}

/* Columns count characters, not bytes, so that a person can find the spot in an editor.
 * @source is valid UTF-8 (the parser checks that first) up to @offset. */
guint
_deca_expr_column (const char *source,
                   gsize       offset)
{
  return (guint) g_utf8_strlen (source, (gssize) offset) + 1;
}

void
_deca_expr_set_error (GError     **error,
                      gsize       *error_offset,
                      const char  *source,
                      gsize        offset,
                      int          code,
                      const char  *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (error_offset != NULL)
    *error_offset = offset;
  if (error == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, DECA_ENGINE_ERROR, code, _("column %u: %s"),
               _deca_expr_column (source, offset), message);
}

static gboolean
lex_error (DecaLexer   *lexer,
           gsize        offset,
           gsize       *error_offset,
           GError     **error,
           const char  *message)
{
  _deca_expr_set_error (error, error_offset, lexer->source, offset,
                        DECA_ENGINE_ERROR_EXPRESSION, "%s", message);
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \u escape at @p (which has at least @avail bytes).
 * Returns -1 when they are not four hex digits. */
static gint32
read_hex4 (const char *p,
           gsize       avail)
{
  gint32 value = 0;

  if (avail < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);

      if (h < 0)
        return -1;
      value = value * 16 + h;
    }
  return value;
}

static gboolean
lex_string (DecaLexer  *lexer,
            DecaToken  *token,
            gsize      *error_offset,
            GError    **error)
{
  const char *s = lexer->source;
  char quote = s[lexer->pos];
  gsize start = lexer->pos;
  gsize i = start + 1;
  g_autoptr(GString) value = g_string_new (NULL);

  while (i < lexer->end && s[i] != quote)
    {
      gsize run = i;

      /* Copy runs of ordinary bytes at once; escapes are rare. */
      while (i < lexer->end && s[i] != quote && s[i] != '\\')
        i++;
      g_string_append_len (value, s + run, (gssize) (i - run));
      if (i >= lexer->end || s[i] == quote)
        break;

      /* A backslash. */
      if (i + 1 >= lexer->end)
        break;
      switch (s[i + 1])
        {
        case 'n': g_string_append_c (value, '\n'); i += 2; break;
        case 't': g_string_append_c (value, '\t'); i += 2; break;
        case 'r': g_string_append_c (value, '\r'); i += 2; break;
        case 'b': g_string_append_c (value, '\b'); i += 2; break;
        case 'f': g_string_append_c (value, '\f'); i += 2; break;
        case '/': g_string_append_c (value, '/'); i += 2; break;
        case '\\': g_string_append_c (value, '\\'); i += 2; break;
        case '\'': g_string_append_c (value, '\''); i += 2; break;
        case '"': g_string_append_c (value, '"'); i += 2; break;
        case 'u':
          {
            gint32 cp = read_hex4 (s + i + 2, lexer->end - (i + 2));
            gsize escape_start = i;

            if (cp < 0)
              return lex_error (lexer, escape_start, error_offset, error,
                                _("\\u must be followed by four hex digits"));
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF)
              {
                gint32 low = -1;

                if (i + 1 < lexer->end && s[i] == '\\' && s[i + 1] == 'u')
                  low = read_hex4 (s + i + 2, lexer->end - (i + 2));
                if (low < 0xDC00 || low > 0xDFFF)
                  return lex_error (lexer, escape_start, error_offset, error,
                                    _("unpaired surrogate in \\u escape"));
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
              }
            else if (cp >= 0xDC00 && cp <= 0xDFFF)
              return lex_error (lexer, escape_start, error_offset, error,
                                _("unpaired surrogate in \\u escape"));
            /* Strings are NUL-terminated all the way to JSON, so NUL cannot be in one. */
            if (cp == 0)
              return lex_error (lexer, escape_start, error_offset, error,
                                _("\\u0000 is not allowed in strings"));
            g_string_append_unichar (value, (gunichar) cp);
            break;
          }
        default:
          return lex_error (lexer, i, error_offset, error, _("invalid escape sequence"));
        }
    }

  if (i >= lexer->end)
    return lex_error (lexer, start, error_offset, error, _("unterminated string"));

  token->kind = DECA_TOKEN_STRING;
  token->start = start;
  token->end = i + 1;
  token->string = g_string_free (g_steal_pointer (&value), FALSE);
  lexer->pos = i + 1;
  return TRUE;
}

static gboolean
lex_number (DecaLexer  *lexer,
            DecaToken  *token,
            gsize      *error_offset,
            GError    **error)
{
  const char *s = lexer->source;
  gsize start = lexer->pos;
  gsize i = start;
  gboolean is_double = FALSE;
  g_autofree char *copy = NULL;

  while (i < lexer->end && g_ascii_isdigit (s[i]))
    i++;
  if (i + 1 < lexer->end && s[i] == '.' && g_ascii_isdigit (s[i + 1]))
    {
      is_double = TRUE;
      i++;
      while (i < lexer->end && g_ascii_isdigit (s[i]))
        i++;
    }
  if (i < lexer->end && (s[i] == 'e' || s[i] == 'E'))
    {
      gsize j = i + 1;

      if (j < lexer->end && (s[j] == '+' || s[j] == '-'))
        j++;
      if (j >= lexer->end || !g_ascii_isdigit (s[j]))
        return lex_error (lexer, start, error_offset, error, _("invalid number"));
      while (j < lexer->end && g_ascii_isdigit (s[j]))
        j++;
      is_double = TRUE;
      i = j;
    }
  if (i < lexer->end && (_deca_is_ident_char (s[i]) || s[i] == '.'))
    return lex_error (lexer, start, error_offset, error, _("invalid number"));

  copy = g_strndup (s + start, i - start);
  token->start = start;
  token->end = i;
  lexer->pos = i;

  if (!is_double)
    {
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (copy, NULL, 10);
      if (errno == 0)
        {
          token->kind = DECA_TOKEN_INT;
          token->integer = v;
          return TRUE;
        }
      /* Integers past gint64 become doubles, as in JSON parsers. */
    }

  token->kind = DECA_TOKEN_DOUBLE;
  token->dbl = g_ascii_strtod (copy, NULL);
  if (!isfinite (token->dbl))
    return lex_error (lexer, start, error_offset, error, _("number out of range"));
  return TRUE;
}

/* Reads the next token into @token. Returns FALSE with @error set ("column N: ...") and
 * @error_offset at the problem on a lexical error. */
gboolean
_deca_lexer_next (DecaLexer   *lexer,
                  DecaToken   *token,
                  gsize       *error_offset,
                  GError     **error)
{
  const char *s = lexer->source;
  gsize i;
  char c, n1, n2;

  memset (token, 0, sizeof *token);

  while (lexer->pos < lexer->end && g_ascii_isspace (s[lexer->pos]))
    lexer->pos++;

  i = lexer->pos;
  token->start = i;
  if (i >= lexer->end)
    {
      token->kind = DECA_TOKEN_EOF;
      token->end = i;
      return TRUE;
    }

  c = s[i];
  n1 = i + 1 < lexer->end ? s[i + 1] : '\0';
  n2 = i + 2 < lexer->end ? s[i + 2] : '\0';

  if (_deca_is_ident_start (c))
    {
      gsize j = i + 1;

      /* A '-' belongs to the identifier only between two identifier characters, which is
       * what makes node ids such as validate-input usable as path roots. */
      for (;;)
        {
          if (j < lexer->end && _deca_is_ident_char (s[j]))
            j++;
          else if (j + 1 < lexer->end && s[j] == '-' && _deca_is_ident_char (s[j + 1]))
            j += 2;
          else
            break;
        }
      token->end = j;
      lexer->pos = j;
      token->kind = DECA_TOKEN_IDENT;
      if (j - i == 4 && memcmp (s + i, "true", 4) == 0)
        token->kind = DECA_TOKEN_TRUE;
      else if (j - i == 5 && memcmp (s + i, "false", 5) == 0)
        token->kind = DECA_TOKEN_FALSE;
      else if (j - i == 4 && memcmp (s + i, "null", 4) == 0)
        token->kind = DECA_TOKEN_NULL;
      else if (j - i == 2 && memcmp (s + i, "in", 2) == 0)
        token->kind = DECA_TOKEN_IN;
      return TRUE;
    }

  if (g_ascii_isdigit (c))
    return lex_number (lexer, token, error_offset, error);

  if (c == '"' || c == '\'')
    return lex_string (lexer, token, error_offset, error);

  {
    DecaTokenKind kind;
    guint len = 1;

    switch (c)
      {
      case '(': kind = DECA_TOKEN_LPAREN; break;
      case ')': kind = DECA_TOKEN_RPAREN; break;
      case '[': kind = DECA_TOKEN_LBRACKET; break;
      case ']': kind = DECA_TOKEN_RBRACKET; break;
      case '{': kind = DECA_TOKEN_LBRACE; break;
      case '}': kind = DECA_TOKEN_RBRACE; break;
      case ',': kind = DECA_TOKEN_COMMA; break;
      case ':': kind = DECA_TOKEN_COLON; break;
      case '.': kind = DECA_TOKEN_DOT; break;
      case '+': kind = DECA_TOKEN_PLUS; break;
      case '-': kind = DECA_TOKEN_MINUS; break;
      case '*': kind = DECA_TOKEN_STAR; break;
      case '/': kind = DECA_TOKEN_SLASH; break;
      case '%': kind = DECA_TOKEN_PERCENT; break;
      case '?':
        if (n1 == '?')
          kind = DECA_TOKEN_COALESCE, len = 2;
        else
          kind = DECA_TOKEN_QUESTION;
        break;
      case '!':
        if (n1 == '=' && n2 == '=')
          kind = DECA_TOKEN_SNE, len = 3;
        else if (n1 == '=')
          kind = DECA_TOKEN_NE, len = 2;
        else
          kind = DECA_TOKEN_NOT;
        break;
      case '=':
        if (n1 == '=' && n2 == '=')
          kind = DECA_TOKEN_SEQ, len = 3;
        else if (n1 == '=')
          kind = DECA_TOKEN_EQ, len = 2;
        else
          return lex_error (lexer, i, error_offset, error,
                            _("unexpected '=' (compare with '==' or '===')"));
        break;
      case '<':
        if (n1 == '=')
          kind = DECA_TOKEN_LE, len = 2;
        else
          kind = DECA_TOKEN_LT;
        break;
      case '>':
        if (n1 == '=')
          kind = DECA_TOKEN_GE, len = 2;
        else
          kind = DECA_TOKEN_GT;
        break;
      case '&':
        if (n1 != '&')
          return lex_error (lexer, i, error_offset, error, _("unexpected '&' (did you mean '&&'?)"));
        kind = DECA_TOKEN_AND, len = 2;
        break;
      case '|':
        if (n1 != '|')
          return lex_error (lexer, i, error_offset, error, _("unexpected '|' (did you mean '||'?)"));
        kind = DECA_TOKEN_OR, len = 2;
        break;
      default:
        {
          g_autofree char *message = NULL;
          const char *next = g_utf8_find_next_char (s + i, s + lexer->end);
          gsize clen = next != NULL ? (gsize) (next - (s + i)) : lexer->end - i;

          if ((guchar) c < 0x20 || c == 0x7f)
            message = g_strdup_printf (_("unexpected character U+%04X"), (guint) (guchar) c);
          else
            message = g_strdup_printf (_("unexpected character '%.*s'"), (int) clen, s + i);
          return lex_error (lexer, i, error_offset, error, message);
        }
      }

    token->kind = kind;
    token->end = i + len;
    lexer->pos = i + len;
    return TRUE;
  }
}

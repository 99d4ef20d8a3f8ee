/* deca-base64url.c: strict, unpadded base64url. */

#include "config.h"

#include "deca-base64url.h"

#include <string.h>

static const char alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
deca_base64url_encode (const guint8 *data,
                       gsize         len)
{
  GString *out;
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  for (i = 0; i + 3 <= len; i += 3)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8 | data[i + 2];

      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
      g_string_append_c (out, alphabet[(v >> 6) & 63]);
      g_string_append_c (out, alphabet[v & 63]);
    }
  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
    }
  else if (len - i == 2)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8;

      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
      g_string_append_c (out, alphabet[(v >> 6) & 63]);
    }
  return g_string_free (out, FALSE);
}

static int
decode_char (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

guint8 *
deca_base64url_decode (const char *text,
                       gssize      len,
                       gsize      *out_len)
{
  g_autofree guint8 *out = NULL;
  gsize n, i, o = 0;
  guint32 acc = 0;
  guint bits = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  n = len < 0 ? strlen (text) : (gsize) len;
  /* One character left over carries 6 bits, less than a byte: no encoder writes that. */
  if (n % 4 == 1)
    return NULL;

  out = g_malloc (n / 4 * 3 + 3 + 1);
  for (i = 0; i < n; i++)
    {
      int v = decode_char (text[i]);

      if (v < 0)
        return NULL;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) (acc >> bits);
          acc &= (1u << bits) - 1;
        }
    }
  /* The bits after the last byte must be zero in a canonical encoding. */
  if (acc != 0)
    return NULL;
  out[o] = 0;
  *out_len = o;
  return g_steal_pointer (&out);
}

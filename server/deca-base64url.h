#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Base64url (RFC 4648, section 5) without padding, as JWTs (RFC 7515) and API keys use
 * it.
 */

/* Returns (transfer full) the unpadded base64url text of @len bytes at @data. */
char    *deca_base64url_encode (const guint8 *data,
                                gsize         len);
/* Decodes @len characters of @text (-1: up to the NUL). Only the base64url alphabet is
 * accepted: no padding, no white space, no '+' or '/', and no trailing bits that a
 * canonical encoder would not have written (so every byte string has one encoding).
 * Returns (transfer full) the bytes, NUL-terminated beyond @out_len for convenience, or
 * NULL when @text is not base64url. */
guint8  *deca_base64url_decode (const char   *text,
                                gssize        len,
                                gsize        *out_len);

G_END_DECLS

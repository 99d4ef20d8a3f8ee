/* deca-jwt.c: verification of bearer JWTs (HS256, RS256 from a JWKS). */

#include "config.h"

#include "deca-jwt.h"

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "deca-base64url.h"
#include "deca-json.h"
#include "deca-server-error.h"

#define HS256_SIGNATURE_SIZE 32
#define MIN_HS256_SECRET 32
#define MIN_RSA_BITS 2048
/* Key ids and claim values longer than this are not repeated in messages. */
#define MAX_QUOTED 64
/* Deeper nesting of arrays and objects in a header or claims is refused. Real tokens
 * nest two or three levels. */
#define MAX_DEPTH 32

typedef struct {
  char *kid;                    /* nullable: a JWKS key need not have one */
  gnutls_pubkey_t pubkey;
} RsaKey;

struct _DecaJwtVerifier
{
  GObject parent_instance;

  guint8 *hs256_secret;         /* nullable; wiped on free */
  gsize hs256_secret_len;
  GPtrArray *rsa_keys;          /* of RsaKey */
  char *issuer;
  char *audience;
  guint leeway;
  char *workspace_claim;
  char *roles_claim;
  DecaClock *clock;
};

G_DEFINE_FINAL_TYPE (DecaJwtVerifier, deca_jwt_verifier, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ISSUER,
  PROP_AUDIENCE,
  PROP_LEEWAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean is_quotable (const char *text);

/* g_set_str() is GLib 2.76. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
rsa_key_free (gpointer data)
{
  RsaKey *key = data;

  g_free (key->kid);
  gnutls_pubkey_deinit (key->pubkey);
  g_free (key);
}

static void
clear_secret (DecaJwtVerifier *self)
{
  if (self->hs256_secret != NULL)
    gnutls_memset (self->hs256_secret, 0, self->hs256_secret_len);
  g_clear_pointer (&self->hs256_secret, g_free);
  self->hs256_secret_len = 0;
}

static void
deca_jwt_verifier_dispose (GObject *object)
{
  DecaJwtVerifier *self = DECA_JWT_VERIFIER (object);

  g_clear_object (&self->clock);

  G_OBJECT_CLASS (deca_jwt_verifier_parent_class)->dispose (object);
}

static void
deca_jwt_verifier_finalize (GObject *object)
{
  DecaJwtVerifier *self = DECA_JWT_VERIFIER (object);

  clear_secret (self);
  g_ptr_array_unref (self->rsa_keys);
  g_free (self->issuer);
  g_free (self->audience);
  g_free (self->workspace_claim);
  g_free (self->roles_claim);

  G_OBJECT_CLASS (deca_jwt_verifier_parent_class)->finalize (object);
}

static void
deca_jwt_verifier_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DecaJwtVerifier *self = DECA_JWT_VERIFIER (object);

  switch (prop_id)
    {
    case PROP_ISSUER:
      g_value_set_string (value, self->issuer);
      break;
    case PROP_AUDIENCE:
      g_value_set_string (value, self->audience);
      break;
    case PROP_LEEWAY:
      g_value_set_uint (value, self->leeway);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_jwt_verifier_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DecaJwtVerifier *self = DECA_JWT_VERIFIER (object);

  switch (prop_id)
    {
    case PROP_ISSUER:
      deca_jwt_verifier_set_issuer (self, g_value_get_string (value));
      break;
    case PROP_AUDIENCE:
      deca_jwt_verifier_set_audience (self, g_value_get_string (value));
      break;
    case PROP_LEEWAY:
      deca_jwt_verifier_set_leeway (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_jwt_verifier_class_init (DecaJwtVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = deca_jwt_verifier_dispose;
  object_class->finalize = deca_jwt_verifier_finalize;
  object_class->get_property = deca_jwt_verifier_get_property;
  object_class->set_property = deca_jwt_verifier_set_property;

  properties[PROP_ISSUER] =
    g_param_spec_string ("issuer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_AUDIENCE] =
    g_param_spec_string ("audience", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LEEWAY] =
    g_param_spec_uint ("leeway", NULL, NULL, 0, G_MAXUINT32, DECA_JWT_DEFAULT_LEEWAY_SECONDS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
deca_jwt_verifier_init (DecaJwtVerifier *self)
{
  self->rsa_keys = g_ptr_array_new_with_free_func (rsa_key_free);
  self->leeway = DECA_JWT_DEFAULT_LEEWAY_SECONDS;
  self->workspace_claim = g_strdup (DECA_JWT_DEFAULT_WORKSPACE_CLAIM);
  self->roles_claim = g_strdup (DECA_JWT_DEFAULT_ROLES_CLAIM);
}

DecaJwtVerifier *
deca_jwt_verifier_new (void)
{
  return g_object_new (DECA_TYPE_JWT_VERIFIER, NULL);
}

gboolean
deca_jwt_verifier_set_hs256_secret (DecaJwtVerifier  *self,
                                    const guint8     *secret,
                                    gsize             len,
                                    GError          **error)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), FALSE);
  g_return_val_if_fail (secret != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (len < MIN_HS256_SECRET)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The HS256 secret is %u bytes long; it must have at least %d"),
                   (guint) MIN (len, G_MAXUINT), MIN_HS256_SECRET);
      return FALSE;
    }
  clear_secret (self);
  self->hs256_secret = g_memdup2 (secret, len);
  self->hs256_secret_len = len;
  return TRUE;
}

/* Returns the string member @name of @object, or NULL when it is missing or not a string. */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Decodes the base64url member @name of the JWK @index (a big-endian integer) into @out. */
static gboolean
get_jwk_integer (JsonObject  *jwk,
                 const char  *name,
                 guint        index,
                 guint8     **out,
                 gsize       *out_len,
                 GError     **error)
{
  const char *text = get_string_member (jwk, name);

  if (text == NULL || text[0] == '\0')
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Key %u of the JWKS has no “%s”"), index, name);
      return FALSE;
    }
  *out = deca_base64url_decode (text, -1, out_len);
  if (*out == NULL)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The “%s” of key %u of the JWKS is not base64url"), name, index);
      return FALSE;
    }
  return TRUE;
}

/* Parses the RSA key @jwk (the @index-th of the set) into a new RsaKey, or returns NULL:
 * with @error set when the key is broken, without when it is not a key for RS256
 * signatures and is skipped. */
static RsaKey *
parse_rsa_jwk (JsonObject  *jwk,
               guint        index,
               GError     **error)
{
  const char *kty = get_string_member (jwk, "kty");
  const char *use = get_string_member (jwk, "use");
  const char *alg = get_string_member (jwk, "alg");
  const char *kid = get_string_member (jwk, "kid");
  g_autofree guint8 *n = NULL;
  g_autofree guint8 *e = NULL;
  gsize n_len, e_len;
  gnutls_datum_t n_datum, e_datum;
  gnutls_pubkey_t pubkey = NULL;
  unsigned int bits = 0;
  RsaKey *key;
  int ret;

  if (g_strcmp0 (kty, "RSA") != 0)
    return NULL;
  if (use != NULL && strcmp (use, "sig") != 0)
    return NULL;
  if (alg != NULL && strcmp (alg, "RS256") != 0)
    return NULL;

  if (!get_jwk_integer (jwk, "n", index, &n, &n_len, error) ||
      !get_jwk_integer (jwk, "e", index, &e, &e_len, error))
    return NULL;

  n_datum.data = n;
  n_datum.size = (unsigned int) n_len;
  e_datum.data = e;
  e_datum.size = (unsigned int) e_len;
  if ((ret = gnutls_pubkey_init (&pubkey)) < 0 ||
      (ret = gnutls_pubkey_import_rsa_raw (pubkey, &n_datum, &e_datum)) < 0)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Key %u of the JWKS is not a usable RSA key: %s"), index, gnutls_strerror (ret));
      if (pubkey != NULL)
        gnutls_pubkey_deinit (pubkey);
      return NULL;
    }
  gnutls_pubkey_get_pk_algorithm (pubkey, &bits);
  if (bits < MIN_RSA_BITS)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Key %u of the JWKS has %u bits; RSA keys need at least %d"), index, bits, MIN_RSA_BITS);
      gnutls_pubkey_deinit (pubkey);
      return NULL;
    }

  key = g_new0 (RsaKey, 1);
  key->kid = g_strdup (kid);
  key->pubkey = pubkey;
  return key;
}

gboolean
deca_jwt_verifier_load_jwks_data (DecaJwtVerifier  *self,
                                  const char       *data,
                                  gssize            len,
                                  GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (rsa_key_free);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonNode *keys_node;
  JsonArray *array;

  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("The JWKS is not JSON: %s"), local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  keys_node = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
    ? json_object_get_member (json_node_get_object (root), "keys") : NULL;
  if (keys_node == NULL || !JSON_NODE_HOLDS_ARRAY (keys_node))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           _("The JWKS is not an object with a “keys” array"));
      return FALSE;
    }

  array = json_node_get_array (keys_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      RsaKey *key;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                       _("Key %u of the JWKS is not an object"), i);
          return FALSE;
        }
      key = parse_rsa_jwk (json_node_get_object (element), i, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (key != NULL && key->kid != NULL)
        {
          /* Two keys under one id would make the choice by kid depend on their order. */
          for (guint j = 0; j < keys->len; j++)
            if (g_strcmp0 (((RsaKey *) g_ptr_array_index (keys, j))->kid, key->kid) == 0)
              {
                if (is_quotable (key->kid))
                  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                               _("The JWKS has two keys with id “%s”"), key->kid);
                else
                  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                               _("Key %u of the JWKS has the id of an earlier key"), i);
                rsa_key_free (key);
                return FALSE;
              }
        }
      if (key != NULL)
        g_ptr_array_add (keys, key);
    }
  if (keys->len == 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                           _("The JWKS has no RSA key for RS256 signatures"));
      return FALSE;
    }

  g_ptr_array_unref (self->rsa_keys);
  self->rsa_keys = g_steal_pointer (&keys);
  return TRUE;
}

gboolean
deca_jwt_verifier_load_jwks_file (DecaJwtVerifier  *self,
                                  const char       *path,
                                  GError          **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   _("Could not read the JWKS file: %s"), local_error->message);
      return FALSE;
    }
  if (!deca_jwt_verifier_load_jwks_data (self, contents, (gssize) len, &local_error))
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_CONFIG,
                   /* Translators: the first %s says what is wrong, the second is a file name */
                   _("%s (in the JWKS file %s)"), local_error->message, path);
      return FALSE;
    }
  return TRUE;
}

gboolean
deca_jwt_verifier_is_configured (DecaJwtVerifier *self)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), FALSE);

  return self->hs256_secret != NULL || self->rsa_keys->len > 0;
}

guint
deca_jwt_verifier_get_n_rsa_keys (DecaJwtVerifier *self)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), 0);

  return self->rsa_keys->len;
}

void
deca_jwt_verifier_set_issuer (DecaJwtVerifier *self,
                              const char      *issuer)
{
  g_return_if_fail (DECA_IS_JWT_VERIFIER (self));

  if (set_str (&self->issuer, issuer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ISSUER]);
}

const char *
deca_jwt_verifier_get_issuer (DecaJwtVerifier *self)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), NULL);

  return self->issuer;
}

void
deca_jwt_verifier_set_audience (DecaJwtVerifier *self,
                                const char      *audience)
{
  g_return_if_fail (DECA_IS_JWT_VERIFIER (self));

  if (set_str (&self->audience, audience))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIENCE]);
}

const char *
deca_jwt_verifier_get_audience (DecaJwtVerifier *self)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), NULL);

  return self->audience;
}

void
deca_jwt_verifier_set_leeway (DecaJwtVerifier *self,
                              guint            seconds)
{
  g_return_if_fail (DECA_IS_JWT_VERIFIER (self));

  if (self->leeway == seconds)
    return;
  self->leeway = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEEWAY]);
}

guint
deca_jwt_verifier_get_leeway (DecaJwtVerifier *self)
{
  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), 0);

  return self->leeway;
}

void
deca_jwt_verifier_set_claim_names (DecaJwtVerifier *self,
                                   const char      *workspace_claim,
                                   const char      *roles_claim)
{
  g_return_if_fail (DECA_IS_JWT_VERIFIER (self));

  set_str (&self->workspace_claim, workspace_claim != NULL ? workspace_claim : DECA_JWT_DEFAULT_WORKSPACE_CLAIM);
  set_str (&self->roles_claim, roles_claim != NULL ? roles_claim : DECA_JWT_DEFAULT_ROLES_CLAIM);
}

void
deca_jwt_verifier_set_clock (DecaJwtVerifier *self,
                             DecaClock       *clock)
{
  g_return_if_fail (DECA_IS_JWT_VERIFIER (self));
  g_return_if_fail (clock == NULL || DECA_IS_CLOCK (clock));

  g_set_object (&self->clock, clock);
}

/* TRUE when @text is short and printable enough to repeat in a message: values from the
 * token are the caller's, and a message must not become a way to put arbitrary bytes into
 * the server's logs. */
static gboolean
is_quotable (const char *text)
{
  gsize i;

  for (i = 0; text[i] != '\0'; i++)
    if (i >= MAX_QUOTED || !g_ascii_isprint (text[i]))
      return FALSE;
  return TRUE;
}

/* Decodes segment @number (1-based) of the token into a JSON object. */
static JsonObject *
decode_json_segment (const char  *text,
                     gsize        len,
                     guint        number,
                     JsonParser  *parser,
                     GError     **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize bytes_len;
  JsonNode *root;

  bytes = deca_base64url_decode (text, (gssize) len, &bytes_len);
  if (bytes == NULL)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("Segment %u of the token is not base64url"), number);
      return NULL;
    }
  if (deca_json_text_too_deep ((const char *) bytes, bytes_len, MAX_DEPTH, NULL))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token's header or claims are nested too deeply"));
      return NULL;
    }
  if (!g_utf8_validate ((const char *) bytes, (gssize) bytes_len, NULL) ||
      !json_parser_load_from_data (parser, (const char *) bytes, (gssize) bytes_len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           number == 1 ? _("The token's header is not a JSON object")
                                       : _("The token's claims are not a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

/* The RSA key for @kid (nullable), or NULL with @error set. */
static RsaKey *
find_rsa_key (DecaJwtVerifier  *self,
              const char       *kid,
              GError          **error)
{
  if (kid == NULL)
    {
      /* Without a kid there is no choosing: only a set of one key is unambiguous. */
      if (self->rsa_keys->len == 1)
        return g_ptr_array_index (self->rsa_keys, 0);
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token names no key (kid) and the JWKS has several"));
      return NULL;
    }
  for (guint i = 0; i < self->rsa_keys->len; i++)
    {
      RsaKey *key = g_ptr_array_index (self->rsa_keys, i);

      if (g_strcmp0 (key->kid, kid) == 0)
        return key;
    }
  if (is_quotable (kid))
    g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                 _("The JWKS has no key with id “%s”"), kid);
  else
    g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                         _("The JWKS has no key with the token's key id"));
  return NULL;
}

/* Checks the signature @signature over @signed_text with the algorithm @alg. */
static gboolean
check_signature (DecaJwtVerifier  *self,
                 const char       *alg,
                 JsonObject       *header,
                 const char       *signed_text,
                 gsize             signed_len,
                 const guint8     *signature,
                 gsize             signature_len,
                 GError          **error)
{
  if (strcmp (alg, "HS256") == 0)
    {
      guint8 expected[HS256_SIGNATURE_SIZE];
      gboolean equal;

      if (self->hs256_secret == NULL)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("HS256 tokens are not accepted here: this server verifies RS256 tokens only"));
          return FALSE;
        }
      if (gnutls_hmac_fast (GNUTLS_MAC_SHA256, self->hs256_secret, self->hs256_secret_len,
                            signed_text, signed_len, expected) < 0)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("The token's signature could not be computed"));
          return FALSE;
        }
      /* Constant time: how many leading bytes match must not show in the time taken. */
      equal = signature_len == HS256_SIGNATURE_SIZE &&
              gnutls_memcmp (expected, signature, HS256_SIGNATURE_SIZE) == 0;
      gnutls_memset (expected, 0, sizeof expected);
      if (!equal)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("The token's signature does not match"));
          return FALSE;
        }
      return TRUE;
    }
  else if (strcmp (alg, "RS256") == 0)
    {
      JsonNode *kid_node = json_object_get_member (header, "kid");
      const char *kid = NULL;
      gnutls_datum_t data, sig;
      RsaKey *key;

      if (self->rsa_keys->len == 0)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("RS256 tokens are not accepted here: this server verifies HS256 tokens only"));
          return FALSE;
        }
      if (kid_node != NULL)
        {
          kid = get_string_member (header, "kid");
          if (kid == NULL)
            {
              g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                                   _("The token's key id (kid) is not a string"));
              return FALSE;
            }
        }
      key = find_rsa_key (self, kid, error);
      if (key == NULL)
        return FALSE;

      data.data = (unsigned char *) signed_text;
      data.size = (unsigned int) signed_len;
      sig.data = (unsigned char *) signature;
      sig.size = (unsigned int) signature_len;
      if (gnutls_pubkey_verify_data2 (key->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) < 0)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("The token's signature does not match"));
          return FALSE;
        }
      return TRUE;
    }
  else if (g_ascii_strcasecmp (alg, "none") == 0)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("Tokens without a signature (alg “none”) are refused"));
      return FALSE;
    }

  if (is_quotable (alg))
    g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                 _("The token's algorithm “%s” is not supported (HS256 and RS256 are)"), alg);
  else
    g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                         _("The token's algorithm is not supported (HS256 and RS256 are)"));
  return FALSE;
}

/* Reads the NumericDate claim @name into @out. FALSE with @error when it is present and
 * not a number; *out_present says whether it was there. */
static gboolean
get_time_claim (JsonObject  *claims,
                const char  *name,
                gboolean    *out_present,
                gdouble     *out,
                GError     **error)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type;

  *out_present = node != NULL;
  if (node == NULL)
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    *out = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token's “%s” is not a number of seconds"), name);
      return FALSE;
    }
  return TRUE;
}

/* Returns (transfer full) @seconds since the epoch as an ISO 8601 UTC time. */
static char *
format_time (gdouble seconds)
{
  g_autoptr(GDateTime) time = NULL;

  if (seconds > -62135596800.0 && seconds < 253402300800.0)
    time = g_date_time_new_from_unix_utc ((gint64) seconds);
  if (time == NULL)
    return g_strdup_printf ("%.0f", seconds);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
check_times (DecaJwtVerifier  *self,
             JsonObject       *claims,
             GError          **error)
{
  g_autoptr(DecaClock) system_clock = NULL;
  DecaClock *clock = self->clock;
  gdouble now, exp = 0, nbf = 0;
  gboolean has_exp, has_nbf;

  if (!get_time_claim (claims, "exp", &has_exp, &exp, error) ||
      !get_time_claim (claims, "nbf", &has_nbf, &nbf, error))
    return FALSE;
  if (!has_exp)
    {
      /* A token that never expires cannot be taken back once it leaks. */
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token has no expiry time (exp)"));
      return FALSE;
    }

  if (clock == NULL)
    clock = system_clock = deca_system_clock_get_default ();
  now = (gdouble) deca_clock_now_us (clock) / G_USEC_PER_SEC;

  /* RFC 7519, 4.1.4: the token is valid only before exp. */
  if (now >= exp + self->leeway)
    {
      g_autofree char *when = format_time (exp);

      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token expired at %s"), when);
      return FALSE;
    }
  if (has_nbf && now + self->leeway < nbf)
    {
      g_autofree char *when = format_time (nbf);

      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token is not valid before %s"), when);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_audience (DecaJwtVerifier  *self,
                JsonObject       *claims,
                GError          **error)
{
  JsonNode *node;

  if (self->audience == NULL)
    return TRUE;

  node = json_object_get_member (claims, "aud");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (g_strcmp0 (json_node_get_string (node), self->audience) == 0)
        return TRUE;
    }
  else if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (element), self->audience) == 0)
            return TRUE;
        }
    }
  else if (node == NULL)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token has no audience (aud); it must include “%s”"), self->audience);
      return FALSE;
    }
  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
               _("The token is not meant for this API: its audience (aud) does not include “%s”"),
               self->audience);
  return FALSE;
}

/* Returns (transfer full) the strings of the claim @name (an array of strings, or one
 * string), an empty vector when it is missing, or NULL with @error when it is anything
 * else. */
static GStrv
get_string_list_claim (JsonObject  *claims,
                       const char  *name,
                       GError     **error)
{
  JsonNode *node = json_object_get_member (claims, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strv_builder_end (builder);
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_strv_builder_add (builder, json_node_get_string (node));
      return g_strv_builder_end (builder);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            goto bad;
          g_strv_builder_add (builder, json_node_get_string (element));
        }
      return g_strv_builder_end (builder);
    }
bad:
  g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
               _("The token's claim “%s” is not a list of names"), name);
  return NULL;
}

static DecaPrincipal *
principal_from_claims (DecaJwtVerifier  *self,
                       JsonObject       *claims,
                       GError          **error)
{
  g_autoptr(DecaPrincipal) principal = NULL;
  const char *sub = get_string_member (claims, "sub");
  JsonNode *workspace_node;
  JsonNode *scope_node;
  GStrv roles;

  if (sub == NULL || sub[0] == '\0')
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token has no subject (sub)"));
      return NULL;
    }
  principal = deca_principal_new (DECA_PRINCIPAL_TOKEN, sub);

  workspace_node = json_object_get_member (claims, self->workspace_claim);
  if (workspace_node != NULL && !JSON_NODE_HOLDS_NULL (workspace_node))
    {
      const char *workspace = get_string_member (claims, self->workspace_claim);

      if (workspace == NULL || workspace[0] == '\0')
        {
          g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                       _("The token's claim “%s” is not a workspace id"), self->workspace_claim);
          return NULL;
        }
      principal->workspace_id = g_strdup (workspace);
    }

  roles = get_string_list_claim (claims, self->roles_claim, error);
  if (roles == NULL)
    return NULL;
  g_strfreev (principal->roles);
  principal->roles = roles;

  scope_node = json_object_get_member (claims, "scope");
  if (scope_node != NULL)
    {
      const char *scope = get_string_member (claims, "scope");
      g_auto(GStrv) parts = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      if (scope == NULL)
        {
          g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                               _("The token's scope is not a text of space-separated names"));
          return NULL;
        }
      parts = g_strsplit (scope, " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_strv_builder_add (builder, parts[i]);
      principal->scopes = g_strv_builder_end (builder);
    }
  return g_steal_pointer (&principal);
}

DecaPrincipal *
deca_jwt_verifier_verify (DecaJwtVerifier  *self,
                          const char       *token,
                          GError          **error)
{
  g_autoptr(JsonParser) header_parser = NULL;
  g_autoptr(JsonParser) claims_parser = NULL;
  g_autofree guint8 *signature = NULL;
  g_autofree guint8 *claims_bytes = NULL;
  const char *dot1, *dot2;
  gsize len, signature_len, claims_len;
  JsonObject *header, *claims;
  JsonNode *alg_node;
  const char *alg;
  guint n_dots = 0;

  g_return_val_if_fail (DECA_IS_JWT_VERIFIER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("There is no token"));
      return NULL;
    }
  len = strnlen (token, DECA_JWT_MAX_LENGTH + 1);
  if (len > DECA_JWT_MAX_LENGTH)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token is longer than %d bytes"), DECA_JWT_MAX_LENGTH);
      return NULL;
    }
  for (gsize i = 0; i < len; i++)
    if (token[i] == '.')
      n_dots++;
  if (n_dots != 2)
    {
      /* Five segments would be a JWE (an encrypted token), which this API does not take. */
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("A token has three segments separated by dots; this one has %u"), n_dots + 1);
      return NULL;
    }
  dot1 = strchr (token, '.');
  dot2 = strchr (dot1 + 1, '.');

  header_parser = json_parser_new_immutable ();
  header = decode_json_segment (token, (gsize) (dot1 - token), 1, header_parser, error);
  if (header == NULL)
    return NULL;
  /* The claims are decoded now, for the message to name the right segment, and parsed only
   * once the signature holds: the JSON parser sees nothing unsigned but the header. */
  claims_bytes = deca_base64url_decode (dot1 + 1, dot2 - dot1 - 1, &claims_len);
  if (claims_bytes == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("Segment 2 of the token is not base64url"));
      return NULL;
    }
  signature = deca_base64url_decode (dot2 + 1, (gssize) (token + len - dot2 - 1), &signature_len);
  if (signature == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("Segment 3 of the token is not base64url"));
      return NULL;
    }

  alg_node = json_object_get_member (header, "alg");
  alg = get_string_member (header, "alg");
  if (alg_node == NULL || alg == NULL)
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token's header names no algorithm (alg)"));
      return NULL;
    }
  /* RFC 7515, 4.1.11: extensions the recipient does not understand make the token invalid. */
  if (json_object_has_member (header, "crit"))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token's header has critical extensions (crit), which are not supported"));
      return NULL;
    }
  if (!check_signature (self, alg, header, token, (gsize) (dot2 - token), signature, signature_len, error))
    return NULL;

  if (deca_json_text_too_deep ((const char *) claims_bytes, claims_len, MAX_DEPTH, NULL))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token's header or claims are nested too deeply"));
      return NULL;
    }
  claims_parser = json_parser_new_immutable ();
  if (!g_utf8_validate ((const char *) claims_bytes, (gssize) claims_len, NULL) ||
      !json_parser_load_from_data (claims_parser, (const char *) claims_bytes, (gssize) claims_len, NULL) ||
      json_parser_get_root (claims_parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (claims_parser)))
    {
      g_set_error_literal (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                           _("The token's claims are not a JSON object"));
      return NULL;
    }
  claims = json_node_get_object (json_parser_get_root (claims_parser));

  if (!check_times (self, claims, error))
    return NULL;
  if (self->issuer != NULL && g_strcmp0 (get_string_member (claims, "iss"), self->issuer) != 0)
    {
      g_set_error (error, DECA_SERVER_ERROR, DECA_SERVER_ERROR_TOKEN,
                   _("The token was not issued by “%s” (iss)"), self->issuer);
      return NULL;
    }
  if (!check_audience (self, claims, error))
    return NULL;
  return principal_from_claims (self, claims, error);
}

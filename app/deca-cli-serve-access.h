#pragma once

/* deca-cli-serve-access.h: the access options of `deca serve` (who may call: tokens, API
 * keys, rate limits) and `deca serve --init`; docs/server.md, "Access". */

#include <deca-server.h>

G_BEGIN_DECLS

typedef struct {
  char     *jwt_secret_file;
  char     *jwks_file;
  char     *issuer;
  char     *audience;
  char     *rate_limit;      /* "RATE[/BURST]" or "off" */
  gboolean  init;
  char     *workspace;       /* --init's workspace name */
} DecaCliAccessOptions;

/* The GOptionEntry lines of these options, for `deca serve`'s entries array. */
#define DECA_CLI_ACCESS_OPTION_ENTRIES(o) \
  { "jwt-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &(o).jwt_secret_file, \
    N_("Accept HS256 bearer tokens signed with the secret in FILE (at least 32 bytes)"), N_("FILE") }, \
  { "jwks", 0, 0, G_OPTION_ARG_FILENAME, &(o).jwks_file, \
    N_("Accept RS256 bearer tokens signed with the keys of this JWKS file"), N_("FILE") }, \
  { "issuer", 0, 0, G_OPTION_ARG_STRING, &(o).issuer, \
    N_("The issuer (iss) tokens must have"), N_("URL") }, \
  { "audience", 0, 0, G_OPTION_ARG_STRING, &(o).audience, \
    N_("The audience (aud) tokens must name"), N_("AUDIENCE") }, \
  { "rate-limit", 0, 0, G_OPTION_ARG_STRING, &(o).rate_limit, \
    N_("Requests per second per key, with bursts up to BURST (default: 20/40); off for none"), N_("RATE[/BURST]") }, \
  { "init", 0, 0, G_OPTION_ARG_NONE, &(o).init, \
    N_("Create the first workspace and an owner API key, print the key once, and exit"), NULL }, \
  { "workspace", 0, 0, G_OPTION_ARG_STRING, &(o).workspace, \
    N_("With --init: the workspace's name (default: default); a new name adds a workspace"), N_("NAME") }

/* Parses "RATE[/BURST]" (RATE requests a second, > 0 and at most 1e6; BURST a whole number
 * of at least 1, by default twice RATE rounded up), as --rate-limit and
 * --webhook-rate-limit take it. FALSE for anything else ("off" included). */
gboolean deca_cli_parse_rate_limit (const char *text,
                                    gdouble    *out_rate,
                                    guint      *out_burst);

void deca_cli_access_options_clear (DecaCliAccessOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DecaCliAccessOptions, deca_cli_access_options_clear)

/* Checks the options and loads the token keys, before anything is made on disk.
 * Returns DECA_CLI_EXIT_OK and sets @out_authenticator (transfer full), or prints one
 * line and returns DECA_CLI_EXIT_USAGE. */
int  deca_cli_access_prepare       (DecaCliAccessOptions  *options,
                                    GObject              **out_authenticator);

/* `deca serve --init` on @server's store: returns the exit status. */
int  deca_cli_access_init          (DecaServer            *server,
                                    DecaCliAccessOptions  *options);

G_END_DECLS

/* deca-trigger-editor.c: the flow's triggers: webhook, schedule, event, manual. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "deca-cron.h"
#include "deca-edit-burst.h"
#include "deca-json.h"
#include "deca-trigger-editor.h"
#include "deca-validator.h"

#define N_NEXT_TIMES 5
/* How many time zones the suggestions list at most: enough to pick from while typing. */
#define N_ZONE_SUGGESTIONS 8

static const char * const webhook_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
/* A schedule's policy for times that passed while the server was down (docs/flow-format.md,
 * "Missed runs"), in the order of the drop-down; run_once is the format's default. */
static const char * const missed_policies[] = { "run_once", "skip", "run_all", NULL };
#define DEFAULT_CATCH_UP_LIMIT 10

/* A webhook's response timeout and signature check, as the webhook trigger type's schema
 * (engine/nodes/deca-trigger-nodes.c) and the server (docs/server.md, "Signatures") have
 * them. */
#define MIN_RESPONSE_TIMEOUT 1
#define MAX_RESPONSE_TIMEOUT 300
#define DEFAULT_RESPONSE_TIMEOUT 30
#define DEFAULT_TOKEN_HEADER "X-Webhook-Token"
#define DEFAULT_SIGNATURE_HEADER "X-Signature-256"
#define DEFAULT_SIGNATURE_PREFIX "sha256="
/* The choices of the signature check drop-down; AUTH_OTHER is there only while the
 * trigger's auth is one the drop-down does not offer (a type of another version, not an
 * object), so that it is shown as it is rather than as None. */
typedef enum {
  AUTH_NONE,
  AUTH_HEADER,
  AUTH_HMAC,
  AUTH_OTHER,
} AuthChoice;
static const char * const auth_types[] = { NULL, "header", "hmac-sha256" };
/* The routes' old prefix of a path, dropped when the path is read (docs/server.md). */
#define LEGACY_WEBHOOK_PREFIX "/webhook/"

typedef struct {
  DecaTriggerEditor *editor;  /* borrowed: the editor owns the row */
  guint index;
  char *type;

  AdwExpanderRow *expander;
  GtkButton *remove_button;
  /* webhook */
  AdwEntryRow *path_row;
  AdwComboRow *method_row;
  AdwActionRow *url_row;
  GtkButton *copy_url_button;
  AdwActionRow *response_timeout_row;
  GtkSpinButton *response_timeout_spin;
  gboolean response_timeout_unset;   /* the field is empty: the member is absent */
  char *response_timeout_foreign;    /* the document's value, shown as it is while it is one
                                      * the field cannot hold (500, 2.5), else NULL */
  AdwComboRow *auth_row;
  GtkStringList *auth_choices;       /* (owned) the drop-down's model */
  AdwEntryRow *auth_header_row;
  AdwEntryRow *auth_credential_row;
  AdwEntryRow *auth_prefix_row;
  /* Changed by the person since the document was shown: only then are they written, so
   * that a value the fields cannot hold (a timeout of 500, an auth of another shape)
   * stays as the document has it while another field is edited. */
  gboolean response_timeout_edited;
  gboolean auth_edited;
  gboolean auth_prefix_edited;
  /* schedule */
  AdwEntryRow *cron_row;
  AdwEntryRow *timezone_row;
  AdwActionRow *description_row;
  AdwActionRow *next_times_row;
  AdwComboRow *missed_row;
  AdwActionRow *catch_up_row;
  GtkSpinButton *catch_up_spin;
  /* event */
  AdwEntryRow *event_row;
  /* errors, one row below each field, keyed by member name */
  GHashTable *error_rows;     /* member -> AdwActionRow (borrowed from the list) */
  GHashTable *problems;       /* member -> validator message */
  char *local_cron_error;
  char *local_timezone_error;
  /* The time zone field's text as last looked up and its zone (NULL: no such zone); kept
   * because looking a zone up reads the tz database, and the preview follows every key. */
  char *zone_name;
  GTimeZone *zone;
  /* Suggestions below the time zone field while typing. */
  GtkPopover *zone_popover;
  GtkListBox *zone_list;
  GtkEventController *zone_keys;
  GtkEventController *zone_focus;

  guint apply_source;
  /* The field whose typing the pending write belongs to: its burst, one undo step. */
  gconstpointer burst_field;
  gboolean loading;
} TriggerRow;

struct _DecaTriggerEditor
{
  GtkWidget parent_instance;

  /* template widgets */
  AdwPreferencesGroup *group;
  GtkMenuButton *add_button;
  AdwActionRow *empty_row;

  /* owned */
  DecaFlowDocument *document;
  GPtrArray *rows;           /* (element-type TriggerRow) */
};

G_DEFINE_FINAL_TYPE (DecaTriggerEditor, deca_trigger_editor, GTK_TYPE_WIDGET)

static void rebuild (DecaTriggerEditor *self);
static void update_preview (TriggerRow *row);
static void zone_suggestions_update (TriggerRow *row);
static void apply_missed (TriggerRow *row,
                          JsonObject *trigger);
static void apply_response_timeout (TriggerRow *row,
                                    JsonObject *trigger);
static void apply_auth (TriggerRow *row,
                        JsonObject *trigger);
static void update_url (TriggerRow *row);

/* ---- helpers ---------------------------------------------------------------------------- */

static const char *
type_title (const char *type)
{
  if (g_strcmp0 (type, "webhook") == 0)
    return _("Webhook");
  if (g_strcmp0 (type, "schedule") == 0)
    return _("Schedule");
  if (g_strcmp0 (type, "event") == 0)
    return _("Event");
  if (g_strcmp0 (type, "manual") == 0)
    return _("Manual");
  return type ? type : _("Trigger");
}

static const char *
type_icon (const char *type)
{
  if (g_strcmp0 (type, "webhook") == 0)
    return "network-transmit-receive-symbolic";
  if (g_strcmp0 (type, "schedule") == 0)
    return "alarm-symbolic";
  if (g_strcmp0 (type, "event") == 0)
    return "mail-send-receive-symbolic";
  return "media-playback-start-symbolic";
}

static void
trigger_row_free (TriggerRow *row)
{
  g_clear_handle_id (&row->apply_source, g_source_remove);
  if (row->zone_popover)
    {
      /* The popover is a child of the entry row, which does not know it. */
      g_signal_handlers_disconnect_by_data (row->zone_list, row);
      g_signal_handlers_disconnect_by_data (row->zone_keys, row);
      g_signal_handlers_disconnect_by_data (row->zone_focus, row);
      gtk_widget_unparent (GTK_WIDGET (row->zone_popover));
      row->zone_popover = NULL;
    }
  if (row->expander)
    {
      gpointer widgets[] = { row->remove_button, row->path_row, row->method_row, row->cron_row,
                             row->timezone_row, row->event_row, row->missed_row,
                             row->catch_up_spin, row->copy_url_button,
                             row->response_timeout_spin, row->auth_row, row->auth_header_row,
                             row->auth_credential_row, row->auth_prefix_row };

      for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
        if (widgets[i] != NULL)
          g_signal_handlers_disconnect_by_data (widgets[i], row);
    }
  g_clear_pointer (&row->error_rows, g_hash_table_unref);
  g_clear_pointer (&row->problems, g_hash_table_unref);
  g_clear_object (&row->auth_choices);
  g_free (row->response_timeout_foreign);
  g_free (row->type);
  g_free (row->local_cron_error);
  g_free (row->local_timezone_error);
  g_free (row->zone_name);
  g_clear_pointer (&row->zone, g_time_zone_unref);
  g_free (row);
}

static JsonObject *
trigger_at (JsonArray *triggers,
            guint      index)
{
  JsonNode *node;

  if (index >= json_array_get_length (triggers))
    return NULL;
  node = json_array_get_element (triggers, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The widget that edits @member ("path", "auth/header"), or NULL. */
static GtkWidget *
member_input (TriggerRow *row,
              const char *member)
{
  if (g_str_equal (member, "path"))
    return GTK_WIDGET (row->path_row);
  if (g_str_equal (member, "method"))
    return GTK_WIDGET (row->method_row);
  if (g_str_equal (member, "response_timeout"))
    return GTK_WIDGET (row->response_timeout_spin);
  if (g_str_equal (member, "auth"))
    return GTK_WIDGET (row->auth_row);
  if (g_str_equal (member, "auth/header"))
    return GTK_WIDGET (row->auth_header_row);
  if (g_str_equal (member, "auth/credential"))
    return GTK_WIDGET (row->auth_credential_row);
  if (g_str_equal (member, "auth/prefix"))
    return GTK_WIDGET (row->auth_prefix_row);
  if (g_str_equal (member, "cron"))
    return GTK_WIDGET (row->cron_row);
  if (g_str_equal (member, "timezone"))
    return GTK_WIDGET (row->timezone_row);
  if (g_str_equal (member, "event"))
    return GTK_WIDGET (row->event_row);
  if (g_str_equal (member, "missed"))
    return GTK_WIDGET (row->missed_row);
  if (g_str_equal (member, "catch_up_limit"))
    return GTK_WIDGET (row->catch_up_spin);
  return NULL;
}

/* The validator's problem at the header or the credential of a signature check, said for
 * a person: the schema's own words are a regular expression. The validator decides that
 * there is a problem; this only words it, and only for the text typed into the field
 * (a member of another type keeps the validator's message). */
static const char *
auth_problem_in_words (TriggerRow *row,
                       const char *member,
                       const char *message)
{
  if (g_str_equal (member, "auth/header") &&
      *gtk_editable_get_text (GTK_EDITABLE (row->auth_header_row)) != '\0')
    return _("A header name has only letters, digits and “-”, such as X-Webhook-Token");
  if (g_str_equal (member, "auth/credential"))
    {
      const char *name = gtk_editable_get_text (GTK_EDITABLE (row->auth_credential_row));

      if (*name == '\0')
        return _("Name the workspace credential whose “secret” field holds the secret");
      return _("A credential name starts with a letter or “_” and has only letters, digits, "
               "“_” and “-”, at most 64");
    }
  return message;
}

/* Shows the error of @member: what the editor found itself (cron, time zone, as typed)
 * first, else the validator's problem. */
static void
show_member_error (TriggerRow *row,
                   const char *member)
{
  AdwActionRow *error_row = g_hash_table_lookup (row->error_rows, member);
  const char *message = g_hash_table_lookup (row->problems, member);
  GtkWidget *input = member_input (row, member);

  if (g_str_equal (member, "cron") && row->local_cron_error)
    message = row->local_cron_error;
  if (g_str_equal (member, "timezone") && row->local_timezone_error)
    message = row->local_timezone_error;
  if (message && g_str_has_prefix (member, "auth/"))
    message = auth_problem_in_words (row, member, message);
  if (error_row == NULL)
    return;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (error_row), message ? message : "");
  /* The error of a field out of sight (the header of a check that is off) goes with it. */
  gtk_widget_set_visible (GTK_WIDGET (error_row),
                          message != NULL && (input == NULL || gtk_widget_get_visible (input)));

  if (input)
    {
      if (message)
        gtk_widget_add_css_class (input, "error");
      else
        gtk_widget_remove_css_class (input, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      message ? message : "", -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (input), GTK_ACCESSIBLE_STATE_INVALID,
                                   message ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
}

static AdwActionRow *
add_error_row (TriggerRow *row,
               const char *member)
{
  AdwActionRow *error_row = ADW_ACTION_ROW (adw_action_row_new ());

  gtk_widget_add_css_class (GTK_WIDGET (error_row), "error");
  gtk_widget_add_css_class (GTK_WIDGET (error_row), "deca-field-error");
  gtk_widget_set_visible (GTK_WIDGET (error_row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (error_row), FALSE);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (error_row));
  g_hash_table_insert (row->error_rows, g_strdup (member), error_row);
  return error_row;
}

static void
set_entry_text (AdwEntryRow *entry,
                const char  *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (entry)), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (entry), text ? text : "");
}

/* ---- applying edits ---------------------------------------------------------------------- */

static void
set_or_remove_string (JsonObject *object,
                      const char *member,
                      const char *value,
                      gboolean    keep_empty)
{
  if (value == NULL || (*value == '\0' && !keep_empty))
    json_object_remove_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

/* Writes what @row shows. @typing: part of a burst of typing (one undo step with the
 * edits before it), else an edit of its own. */
static void
trigger_row_apply (TriggerRow *row,
                   gboolean    typing)
{
  DecaTriggerEditor *self = row->editor;
  g_autoptr(JsonArray) triggers = NULL;
  JsonObject *trigger;

  g_clear_handle_id (&row->apply_source, g_source_remove);
  if (self->document == NULL)
    return;

  triggers = deca_flow_document_get_triggers (self->document);
  trigger = trigger_at (triggers, row->index);
  if (trigger == NULL)
    return;

  if (row->path_row)
    set_or_remove_string (trigger, "path", gtk_editable_get_text (GTK_EDITABLE (row->path_row)), TRUE);
  if (row->method_row)
    {
      guint selected = adw_combo_row_get_selected (row->method_row);

      if (selected < G_N_ELEMENTS (webhook_methods) - 1)
        json_object_set_string_member (trigger, "method", webhook_methods[selected]);
    }
  if (row->response_timeout_spin)
    apply_response_timeout (row, trigger);
  if (row->auth_row)
    apply_auth (row, trigger);
  if (row->cron_row)
    set_or_remove_string (trigger, "cron", gtk_editable_get_text (GTK_EDITABLE (row->cron_row)), TRUE);
  if (row->timezone_row)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (row->timezone_row));
      g_autofree char *zone = g_strstrip (g_strdup (text));

      set_or_remove_string (trigger, "timezone", zone, FALSE);
    }
  if (row->event_row)
    set_or_remove_string (trigger, "event",
                          gtk_editable_get_text (GTK_EDITABLE (row->event_row)), TRUE);
  if (row->missed_row)
    apply_missed (row, trigger);

  if (typing)
    deca_edit_burst_begin (self->document, row->burst_field ? row->burst_field : row);
  else
    deca_edit_burst_end (self->document);
  row->burst_field = NULL;
  deca_flow_document_set_triggers (self->document, triggers);
}


static gboolean
apply_timeout_cb (gpointer data)
{
  TriggerRow *row = data;

  row->apply_source = 0;
  trigger_row_apply (row, TRUE);
  return G_SOURCE_REMOVE;
}

/* Writes what @row shows after a pause in the typing in @widget; typing in another field
 * first writes what is pending, as its own step. */
static void
trigger_row_apply_later (TriggerRow *row,
                         GtkWidget  *widget)
{
  if (row->apply_source != 0 && row->burst_field != widget)
    trigger_row_apply (row, TRUE);
  g_clear_handle_id (&row->apply_source, g_source_remove);
  row->burst_field = widget;
  row->apply_source = g_timeout_add (DECA_EDIT_APPLY_DELAY_MS, apply_timeout_cb, row);
}

static void
field_changed_cb (GtkWidget  *widget,
                  TriggerRow *row)
{
  if (row->loading)
    return;
  if (widget == GTK_WIDGET (row->cron_row) || widget == GTK_WIDGET (row->timezone_row))
    update_preview (row);
  if (widget == GTK_WIDGET (row->timezone_row))
    zone_suggestions_update (row);
  if (widget == GTK_WIDGET (row->path_row))
    update_url (row);
  if (widget == GTK_WIDGET (row->auth_header_row) ||
      widget == GTK_WIDGET (row->auth_credential_row) ||
      widget == GTK_WIDGET (row->auth_prefix_row))
    row->auth_edited = TRUE;
  if (widget == GTK_WIDGET (row->auth_prefix_row))
    row->auth_prefix_edited = TRUE;
  trigger_row_apply_later (row, widget);
}

static void
method_changed_cb (AdwComboRow *combo,
                   GParamSpec  *pspec,
                   TriggerRow  *row)
{
  update_url (row);
  if (!row->loading)
    trigger_row_apply (row, FALSE);
}

static void
remove_clicked_cb (GtkButton  *button,
                   TriggerRow *row)
{
  DecaTriggerEditor *self = row->editor;
  g_autoptr(JsonArray) triggers = NULL;
  g_autoptr(JsonArray) kept = json_array_new ();

  if (self->document == NULL)
    return;
  deca_trigger_editor_flush (self);
  triggers = deca_flow_document_get_triggers (self->document);
  for (guint i = 0; i < json_array_get_length (triggers); i++)
    if (i != row->index)
      json_array_add_element (kept, json_node_copy (json_array_get_element (triggers, i)));
  deca_flow_document_set_triggers (self->document, json_array_get_length (kept) ? kept : NULL);
}

static void
missed_changed_cb (AdwComboRow *combo,
                   GParamSpec  *pspec,
                   TriggerRow  *row)
{
  gtk_widget_set_visible (GTK_WIDGET (row->catch_up_row),
                          g_str_equal (missed_policies[adw_combo_row_get_selected (combo)],
                                       "run_all"));
  if (!row->loading)
    trigger_row_apply (row, FALSE);
}

static void
catch_up_changed_cb (GtkSpinButton *spin,
                     TriggerRow    *row)
{
  if (row->loading)
    return;
  trigger_row_apply_later (row, GTK_WIDGET (spin));
}

/* Writes the missed-run policy, and the limit when it applies. A trigger that never had
 * them and keeps the defaults is left without: the document says only what was chosen. */
static void
apply_missed (TriggerRow *row,
              JsonObject *trigger)
{
  const char *policy = missed_policies[MIN (adw_combo_row_get_selected (row->missed_row),
                                            G_N_ELEMENTS (missed_policies) - 2)];
  int limit = gtk_spin_button_get_value_as_int (row->catch_up_spin);

  if (json_object_has_member (trigger, "missed") || !g_str_equal (policy, "run_once"))
    json_object_set_string_member (trigger, "missed", policy);
  if (g_str_equal (policy, "run_all")
      && (json_object_has_member (trigger, "catch_up_limit") || limit != DEFAULT_CATCH_UP_LIMIT))
    json_object_set_int_member (trigger, "catch_up_limit", limit);
}

/* ---- the webhook's URL, response timeout and signature check --------------------------- */

/* The path after /webhook/WORKSPACE the server listens on for a trigger's @path, as
 * server/deca-api-webhooks.c reads it (docs/server.md, "Webhooks"): without the
 * "/webhook/" older flows wrote. Returns (transfer full) the path, or NULL for one the
 * validator refuses (no leading "/", "/" alone, a query or fragment right after it). */
static char *
webhook_route_path (const char *path)
{
  if (path == NULL || path[0] != '/' || path[1] == '\0' || path[1] == '?' || path[1] == '#')
    return NULL;
  if (g_str_has_prefix (path, LEGACY_WEBHOOK_PREFIX) && path[strlen (LEGACY_WEBHOOK_PREFIX)] != '\0')
    path += strlen (LEGACY_WEBHOOK_PREFIX) - 1;
  /* The workspace's id is the server's; the studio does not know it. */
  return g_strconcat ("/webhook/{workspace}", path, NULL);
}

/* Shows where the webhook is called, following the path and the method as they are
 * edited. */
static void
update_url (TriggerRow *row)
{
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  guint method;

  if (row->url_row == NULL)
    return;
  path = webhook_route_path (gtk_editable_get_text (GTK_EDITABLE (row->path_row)));
  method = MIN (adw_combo_row_get_selected (row->method_row), G_N_ELEMENTS (webhook_methods) - 2);
  if (path)
    url = g_strdup_printf ("%s %s", webhook_methods[method], path);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->url_row),
                                 url ? url : _("None until the path is valid"));
  gtk_widget_set_sensitive (GTK_WIDGET (row->copy_url_button), path != NULL);
}

static void
copy_url_clicked_cb (GtkButton  *button,
                     TriggerRow *row)
{
  g_autofree char *path = webhook_route_path (gtk_editable_get_text (GTK_EDITABLE (row->path_row)));
  GtkWidget *overlay;

  if (path == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), path);
  /* The window's toast overlay says it happened; an editor shown elsewhere has none. */
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (row->editor), ADW_TYPE_TOAST_OVERLAY);
  if (overlay)
    {
      AdwToast *toast = adw_toast_new (_("Path copied"));

      adw_toast_set_timeout (toast, 2);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
}

/* The text of the response timeout: empty when the member is absent (its default is the
 * placeholder), else the number. */
static void
response_timeout_show (TriggerRow *row)
{
  GtkSpinButton *spin = row->response_timeout_spin;
  g_autofree char *text = row->response_timeout_unset     ? g_strdup ("")
                          : row->response_timeout_foreign ? g_strdup (row->response_timeout_foreign)
                          : g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
}

/* The spin button reads its text (Enter, the focus leaving, an arrow): an empty text is
 * no number, not the minimum, and leaves the value as it is. */
static int
response_timeout_input_cb (GtkSpinButton *spin,
                           double        *new_value,
                           TriggerRow    *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin))));
  gboolean unset = *text == '\0';

  /* The document's own value, untouched, stays as it is (with its problem below). */
  if (row->response_timeout_foreign)
    {
      if (g_str_equal (text, row->response_timeout_foreign))
        {
          *new_value = gtk_spin_button_get_value (spin);
          return TRUE;
        }
      g_clear_pointer (&row->response_timeout_foreign, g_free);
      row->response_timeout_edited = TRUE;
      trigger_row_apply_later (row, GTK_WIDGET (spin));
    }
  if (unset != row->response_timeout_unset)
    {
      row->response_timeout_unset = unset;
      /* Emptied, or a number typed into the empty field (maybe the default itself, which
       * does not change the value): either way an edit. */
      if (!row->loading)
        {
          row->response_timeout_edited = TRUE;
          trigger_row_apply_later (row, GTK_WIDGET (spin));
        }
    }
  if (!unset)
    return FALSE;
  *new_value = gtk_spin_button_get_value (spin);
  return TRUE;
}

static gboolean
response_timeout_output_cb (GtkSpinButton *spin,
                            TriggerRow    *row)
{
  if (!row->response_timeout_unset && !row->response_timeout_foreign)
    return FALSE;
  response_timeout_show (row);
  return TRUE;
}

static void
response_timeout_changed_cb (GtkSpinButton *spin,
                             TriggerRow    *row)
{
  if (row->loading)
    return;
  /* Typed text clears the flag in the input handler first; so this is an arrow or the
   * wheel, which start from the default and set the member. */
  if (row->response_timeout_unset || row->response_timeout_foreign)
    {
      row->response_timeout_unset = FALSE;
      g_clear_pointer (&row->response_timeout_foreign, g_free);
      response_timeout_show (row);
    }
  row->response_timeout_edited = TRUE;
  trigger_row_apply_later (row, GTK_WIDGET (spin));
}

/* Writes the response timeout once the person changed it: an emptied field removes the
 * member, so that the server's default applies. */
static void
apply_response_timeout (TriggerRow *row,
                        JsonObject *trigger)
{
  if (!row->response_timeout_edited)
    return;
  if (row->response_timeout_unset)
    json_object_remove_member (trigger, "response_timeout");
  else
    json_object_set_int_member (trigger, "response_timeout",
                                gtk_spin_button_get_value_as_int (row->response_timeout_spin));
}

static void
load_response_timeout (TriggerRow *row,
                       JsonObject *trigger)
{
  GtkSpinButton *spin = row->response_timeout_spin;
  double value = DEFAULT_RESPONSE_TIMEOUT;
  gboolean was_unset = row->response_timeout_unset;
  g_autofree char *was_foreign = g_strdup (row->response_timeout_foreign);

  /* A member that is not a number shows as empty, one out of range or with a fraction as
   * it is (the spin button would clamp it): either with the validator's problem below. */
  row->response_timeout_unset = !deca_json_object_get_number (trigger, "response_timeout", &value);
  row->response_timeout_edited = FALSE;
  g_clear_pointer (&row->response_timeout_foreign, g_free);
  if (!row->response_timeout_unset &&
      (value < MIN_RESPONSE_TIMEOUT || value > MAX_RESPONSE_TIMEOUT || value != floor (value)))
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      deca_json_format_double (value, number, sizeof number);
      row->response_timeout_foreign = g_strdup (number);
    }
  /* A new value writes its text through the output handler; otherwise the text changes
   * only between empty, the document's own text and a number, so that keys typed and not
   * yet committed stay. */
  if (gtk_spin_button_get_value (spin) != CLAMP (value, MIN_RESPONSE_TIMEOUT, MAX_RESPONSE_TIMEOUT))
    gtk_spin_button_set_value (spin, value);
  else if (was_unset != row->response_timeout_unset ||
           g_strcmp0 (was_foreign, row->response_timeout_foreign) != 0)
    response_timeout_show (row);
}

/* Shows the fields of the check chosen: a header and a credential for both checks, the
 * prefix for a signature; the header's default follows the check. */
static void
auth_rows_update (TriggerRow *row)
{
  AuthChoice choice = adw_combo_row_get_selected (row->auth_row);
  gboolean check = choice == AUTH_HEADER || choice == AUTH_HMAC;
  const char *header = choice == AUTH_HMAC ? DEFAULT_SIGNATURE_HEADER : DEFAULT_TOKEN_HEADER;
  g_autofree char *header_title = NULL;

  gtk_widget_set_visible (GTK_WIDGET (row->auth_header_row), check);
  gtk_widget_set_visible (GTK_WIDGET (row->auth_credential_row), check);
  gtk_widget_set_visible (GTK_WIDGET (row->auth_prefix_row), choice == AUTH_HMAC);

  /* Translators: the title of the field of a webhook's signature header; %s is the header
   * used when the field is empty, "X-Webhook-Token" */
  header_title = g_strdup_printf (_("Header (empty: %s)"), header);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->auth_header_row), header_title);
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (row->auth_header_row))),
                                 header);

  show_member_error (row, "auth/header");
  show_member_error (row, "auth/credential");
  show_member_error (row, "auth/prefix");
}

static void
auth_changed_cb (AdwComboRow *combo,
                 GParamSpec  *pspec,
                 TriggerRow  *row)
{
  auth_rows_update (row);
  if (row->loading)
    return;
  /* The choice of another check (not the one shown only to show the document's) is an
   * edit of its own. */
  if (adw_combo_row_get_selected (combo) == AUTH_OTHER)
    return;
  row->auth_edited = TRUE;
  trigger_row_apply (row, FALSE);
}

/* Writes the signature check once the person changed it: None removes "auth"; a check
 * writes its type and the fields that are not empty (an empty header or prefix is the
 * default; an empty credential is left out, which the validator reports on its field).
 * Members of the auth object the editor does not know are kept. */
static void
apply_auth (TriggerRow *row,
            JsonObject *trigger)
{
  AuthChoice choice = adw_combo_row_get_selected (row->auth_row);
  JsonObject *old = deca_json_object_get_object (trigger, "auth");
  g_autoptr(JsonObject) auth = NULL;
  const char * const managed[] = { "type", "header", "credential", "prefix" };

  if (!row->auth_edited || choice == AUTH_OTHER || choice > AUTH_OTHER)
    return;
  if (choice == AUTH_NONE)
    {
      json_object_remove_member (trigger, "auth");
      return;
    }

  auth = json_object_new ();
  json_object_set_string_member (auth, "type", auth_types[choice]);
  set_or_remove_string (auth, "header",
                        gtk_editable_get_text (GTK_EDITABLE (row->auth_header_row)), FALSE);
  set_or_remove_string (auth, "credential",
                        gtk_editable_get_text (GTK_EDITABLE (row->auth_credential_row)), FALSE);
  /* A prefix means nothing to a header check, whose field is out of sight then. An empty
   * field is the default, except that the document's empty prefix (a sender that writes
   * the bare digits) stays until the field is edited. */
  if (choice == AUTH_HMAC)
    set_or_remove_string (auth, "prefix",
                          gtk_editable_get_text (GTK_EDITABLE (row->auth_prefix_row)),
                          !row->auth_prefix_edited &&
                          g_strcmp0 (deca_json_object_get_string (old, "prefix"), "") == 0);
  if (old)
    {
      g_autoptr(GList) members = json_object_get_members (old);

      for (GList *l = members; l; l = l->next)
        {
          gboolean known = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (managed); i++)
            known = known || g_str_equal (l->data, managed[i]);
          if (!known)
            json_object_set_member (auth, l->data,
                                    json_node_copy (json_object_get_member (old, l->data)));
        }
    }
  json_object_set_object_member (trigger, "auth", g_steal_pointer (&auth));
}

/* Shows the document's signature check. An auth the drop-down does not offer is shown as
 * a choice of its own (and written only when another is chosen); the fields keep what
 * they hold when there is no auth, so that None and back brings it again. */
static void
load_auth (TriggerRow *row,
           JsonObject *trigger)
{
  JsonNode *member = json_object_get_member (trigger, "auth");
  JsonObject *auth = deca_json_object_get_object (trigger, "auth");
  const char *type = deca_json_object_get_string (auth, "type");
  AuthChoice choice = AUTH_NONE;
  guint n_choices = g_list_model_get_n_items (G_LIST_MODEL (row->auth_choices));

  if (member != NULL)
    choice = g_strcmp0 (type, "header") == 0        ? AUTH_HEADER
             : g_strcmp0 (type, "hmac-sha256") == 0 ? AUTH_HMAC
                                                    : AUTH_OTHER;
  if (choice == AUTH_OTHER)
    {
      g_autofree char *label = NULL;
      const char *labels[2] = { NULL, NULL };

      if (type)
        /* Translators: a webhook's signature check of a type the studio does not know,
         * shown as it is: “Other: basic” */
        label = g_strdup_printf (_("Other: %s"), type);
      else
        label = g_strdup (_("Not understood"));
      labels[0] = label;
      gtk_string_list_splice (row->auth_choices, AUTH_OTHER, n_choices - AUTH_OTHER, labels);
      adw_combo_row_set_selected (row->auth_row, AUTH_OTHER);
    }
  else
    {
      adw_combo_row_set_selected (row->auth_row, choice);
      if (n_choices > AUTH_OTHER)
        gtk_string_list_splice (row->auth_choices, AUTH_OTHER, n_choices - AUTH_OTHER, NULL);
    }
  if (auth)
    {
      set_entry_text (row->auth_header_row, deca_json_object_get_string (auth, "header"));
      set_entry_text (row->auth_credential_row, deca_json_object_get_string (auth, "credential"));
      set_entry_text (row->auth_prefix_row, deca_json_object_get_string (auth, "prefix"));
    }
  row->auth_edited = FALSE;
  row->auth_prefix_edited = FALSE;
  auth_rows_update (row);
}

/* ---- the schedule preview ----------------------------------------------------------------- */

static void
update_preview (TriggerRow *row)
{
  const char *cron = gtk_editable_get_text (GTK_EDITABLE (row->cron_row));
  const char *zone_text = gtk_editable_get_text (GTK_EDITABLE (row->timezone_row));
  g_autofree char *zone_name = g_strstrip (g_strdup (zone_text));
  GTimeZone *zone;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GPtrArray) times = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (cron));

  g_clear_pointer (&row->local_cron_error, g_free);
  g_clear_pointer (&row->local_timezone_error, g_free);

  if (g_strcmp0 (row->zone_name, zone_name) != 0)
    {
      g_clear_pointer (&row->zone, g_time_zone_unref);
      row->zone = *zone_name == '\0' ? g_time_zone_new_utc ()
                                     : g_time_zone_new_identifier (zone_name);
      g_free (row->zone_name);
      row->zone_name = g_strdup (zone_name);
    }
  zone = row->zone;
  if (zone == NULL)
    row->local_timezone_error =
      g_strdup_printf (_("Unknown time zone “%s”: use an IANA name such as "
                         "Europe/Berlin, or UTC."), zone_name);

  if (*stripped == '\0')
    row->local_cron_error =
      g_strdup (_("A schedule needs a cron expression, such as 0 9 * * MON-FRI."));
  else
    description = deca_cron_describe (cron, &error);
  if (description == NULL && error != NULL)
    row->local_cron_error = g_strdup (error->message);

  if (description)
    {
      adw_action_row_set_subtitle (row->description_row, description);
      adw_expander_row_set_subtitle (row->expander, description);
    }
  else
    {
      adw_action_row_set_subtitle (row->description_row, "—");
      adw_expander_row_set_subtitle (row->expander, _("Invalid schedule"));
    }

  if (description && zone)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (zone);

      times = deca_cron_next_times (cron, zone, now, N_NEXT_TIMES, NULL);
    }
  if (times && times->len > 0)
    {
      GString *text = g_string_new (NULL);

      for (guint i = 0; i < times->len; i++)
        {
          /* Translators: a fire time in the list of next runs, g_date_time_format() syntax:
           * "Mon 7 Dec 2026, 09:00 CET" */
          g_autofree char *line = g_date_time_format (g_ptr_array_index (times, i),
                                                      _("%a %-d %b %Y, %H:%M %Z"));
          if (i > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, line);
        }
      adw_action_row_set_subtitle (row->next_times_row, text->str);
      g_string_free (text, TRUE);
    }
  else if (description && zone)
    adw_action_row_set_subtitle (row->next_times_row,
                                 _("Never: this schedule does not fire within five years"));
  else
    adw_action_row_set_subtitle (row->next_times_row, "—");

  show_member_error (row, "cron");
  show_member_error (row, "timezone");
}

/* ---- time zone suggestions ---------------------------------------------------------------- */

/* Adds the zone names of a zone.tab-style file (TAB-separated: country codes,
 * coordinates, zone, comment) to @names. */
static void
read_zone_tab (const char *path,
               GHashTable *names)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 4);
      if (g_strv_length (fields) >= 3 && fields[2][0] != '\0')
        g_hash_table_add (names, g_strdup (fields[2]));
    }
}

/* Adds the zones ("Z name ...") of the compact tzdata.zi to @names. */
static void
read_tzdata_zi (const char *path,
                GHashTable *names)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (!g_str_has_prefix (lines[i], "Z "))
        continue;
      fields = g_strsplit (lines[i], " ", 3);
      if (g_strv_length (fields) >= 2 && fields[1][0] != '\0')
        g_hash_table_add (names, g_strdup (fields[1]));
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The time zones of the system's tz database (where GLib looks them up: $TZDIR, else
 * /usr/share/zoneinfo), sorted, and UTC. zone.tab lists a zone per country (the names
 * people look for, Europe/Amsterdam), zone1970.tab the zones that differ since 1970;
 * a system with neither has tzdata.zi. Without any, only UTC is offered; typing any
 * other name still works. Read once, on first use: it is a small local file, like the
 * zone files GLib reads on the same thread to look a zone up. */
static const char * const *
zone_names (void)
{
  static GStrv names = NULL;

  if (g_once_init_enter (&names))
    {
      g_autoptr(GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      const char *dir = g_getenv ("TZDIR");
      g_autofree char *zone_tab = NULL;
      g_autofree char *zone1970_tab = NULL;
      g_autofree char *zi = NULL;
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer name;
      GStrvBuilder *builder = g_strv_builder_new ();
      GStrv result;

      if (dir == NULL || *dir == '\0')
        dir = "/usr/share/zoneinfo";
      zone_tab = g_build_filename (dir, "zone.tab", NULL);
      zone1970_tab = g_build_filename (dir, "zone1970.tab", NULL);
      zi = g_build_filename (dir, "tzdata.zi", NULL);
      read_zone_tab (zone_tab, set);
      read_zone_tab (zone1970_tab, set);
      if (g_hash_table_size (set) == 0)
        read_tzdata_zi (zi, set);
      g_hash_table_add (set, g_strdup ("UTC"));

      g_hash_table_iter_init (&iter, set);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        g_ptr_array_add (sorted, name);
      g_ptr_array_sort (sorted, compare_names);
      for (guint i = 0; i < sorted->len; i++)
        g_strv_builder_add (builder, sorted->pdata[i]);
      result = g_strv_builder_end (builder);
      g_strv_builder_unref (builder);
      g_once_init_leave (&names, result);
    }
  return (const char * const *) names;
}

/* The zones that contain @text, ignoring case, with a space for "_" ("new york" finds
 * America/New_York): first those where a part of the name starts with it ("berl":
 * Europe/Berlin), then the others, each alphabetically; at most @max. Returns
 * (transfer container) (element-type utf8) the names, borrowed from zone_names(). */
static GPtrArray *
zone_matches (const char *text,
              guint       max)
{
  const char * const *names = zone_names ();
  g_autofree char *needle = g_strdelimit (g_ascii_strdown (text, -1), " ", '_');
  g_autoptr(GPtrArray) later = g_ptr_array_new ();
  GPtrArray *matches = g_ptr_array_new ();

  for (guint i = 0; names[i] && matches->len < max; i++)
    {
      g_autofree char *name = g_ascii_strdown (names[i], -1);
      const char *found = strstr (name, needle);

      if (found == NULL)
        continue;
      if (found == name || found[-1] == '/' || found[-1] == '_' || found[-1] == '-')
        g_ptr_array_add (matches, (gpointer) names[i]);
      else if (later->len < max)
        g_ptr_array_add (later, (gpointer) names[i]);
    }
  for (guint i = 0; i < later->len && matches->len < max; i++)
    g_ptr_array_add (matches, later->pdata[i]);
  return matches;
}

static void
zone_suggestions_hide (TriggerRow *row)
{
  if (row->zone_popover && gtk_widget_get_visible (GTK_WIDGET (row->zone_popover)))
    gtk_popover_popdown (row->zone_popover);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->timezone_row), GTK_ACCESSIBLE_STATE_EXPANDED,
                               FALSE, -1);
}

static void
zone_choose (TriggerRow    *row,
             GtkListBoxRow *choice)
{
  const char *name = g_object_get_data (G_OBJECT (choice), "deca-zone");

  zone_suggestions_hide (row);
  /* The entry's "changed" writes the zone and updates the preview, as typing does. */
  gtk_editable_set_text (GTK_EDITABLE (row->timezone_row), name);
  gtk_editable_set_position (GTK_EDITABLE (row->timezone_row), -1);
}

static void
zone_row_activated_cb (GtkListBox    *list,
                       GtkListBoxRow *choice,
                       TriggerRow    *row)
{
  zone_choose (row, choice);
}

static void
zone_selected_cb (GtkListBox    *list,
                  GtkListBoxRow *choice,
                  TriggerRow    *row)
{
  /* A screen reader reads the suggestion the arrows reach while the focus stays in the
   * field. */
  if (choice)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (row->timezone_row),
                                    GTK_ACCESSIBLE_RELATION_ACTIVE_DESCENDANT, choice, -1);
  else
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (row->timezone_row),
                                   GTK_ACCESSIBLE_RELATION_ACTIVE_DESCENDANT);
}

/* Whether the suggestions listed are @matches, in order. */
static gboolean
zone_list_shows (TriggerRow *row,
                 GPtrArray  *matches)
{
  guint i = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (row->zone_list)); child;
       child = gtk_widget_get_next_sibling (child), i++)
    if (i >= matches->len || g_object_get_data (G_OBJECT (child), "deca-zone") != matches->pdata[i])
      return FALSE;
  return i == matches->len;
}

/* Shows the zones matching what the field holds, while the person types in it. */
static void
zone_suggestions_update (TriggerRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row->timezone_row))));
  g_autoptr(GPtrArray) matches = NULL;
  GtkWidget *child;

  if (*text == '\0' ||
      !gtk_event_controller_focus_contains_focus (GTK_EVENT_CONTROLLER_FOCUS (row->zone_focus)))
    {
      zone_suggestions_hide (row);
      return;
    }
  matches = zone_matches (text, N_ZONE_SUGGESTIONS);
  /* The name typed in full needs no suggestion. */
  if (matches->len == 0 || (matches->len == 1 && g_str_equal (matches->pdata[0], text)))
    {
      zone_suggestions_hide (row);
      return;
    }

  /* The same suggestions stay as they are, selection included. */
  if (zone_list_shows (row, matches) && gtk_widget_get_visible (GTK_WIDGET (row->zone_popover)))
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (row->zone_list))))
    gtk_list_box_remove (row->zone_list, child);
  for (guint i = 0; i < matches->len; i++)
    {
      GtkWidget *label = gtk_label_new (matches->pdata[i]);
      GtkWidget *choice = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 3);
      gtk_widget_set_margin_bottom (label, 3);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (choice), label);
      /* The focus stays in the field; the arrows move the selection. */
      gtk_widget_set_focusable (choice, FALSE);
      g_object_set_data (G_OBJECT (choice), "deca-zone", matches->pdata[i]);
      gtk_list_box_append (row->zone_list, choice);
    }
  gtk_list_box_unselect_all (row->zone_list);
  gtk_widget_set_size_request (GTK_WIDGET (row->zone_popover),
                               MAX (200, gtk_widget_get_width (GTK_WIDGET (row->timezone_row)) - 24),
                               -1);
  if (!gtk_widget_get_visible (GTK_WIDGET (row->zone_popover)))
    gtk_popover_popup (row->zone_popover);
  else
    gtk_popover_present (row->zone_popover);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->timezone_row), GTK_ACCESSIBLE_STATE_EXPANDED,
                               TRUE, -1);
}

/* Down and Up move through the suggestions, Enter takes the one selected, Escape closes
 * them; the keys reach the field before its text does. */
static gboolean
zone_key_pressed_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     TriggerRow            *row)
{
  gboolean shown = gtk_widget_get_visible (GTK_WIDGET (row->zone_popover));
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (row->zone_list);
  int index = selected ? gtk_list_box_row_get_index (selected) : -1;
  GtkListBoxRow *next;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (!shown)
        {
          zone_suggestions_update (row);
          return gtk_widget_get_visible (GTK_WIDGET (row->zone_popover));
        }
      if (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down)
        next = gtk_list_box_get_row_at_index (row->zone_list, index + 1);
      else
        next = index > 0 ? gtk_list_box_get_row_at_index (row->zone_list, index - 1) : NULL;
      if (next)
        gtk_list_box_select_row (row->zone_list, next);
      else if (index > 0 || keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up)
        gtk_list_box_unselect_all (row->zone_list);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      if (!shown || selected == NULL)
        return FALSE;
      zone_choose (row, selected);
      return TRUE;
    case GDK_KEY_Escape:
      if (!shown)
        return FALSE;
      zone_suggestions_hide (row);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
zone_focus_leave_cb (GtkEventControllerFocus *controller,
                     TriggerRow              *row)
{
  zone_suggestions_hide (row);
}

static void
zone_suggestions_attach (TriggerRow *row)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  row->zone_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (row->zone_list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (row->zone_list, TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (row->zone_list), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (row->zone_list), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->zone_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Matching time zones"), -1);
  g_signal_connect (row->zone_list, "row-activated", G_CALLBACK (zone_row_activated_cb), row);
  g_signal_connect (row->zone_list, "row-selected", G_CALLBACK (zone_selected_cb), row);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (row->zone_list));

  /* Not modal and without a grab, so that the keys stay with the field. */
  row->zone_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_autohide (row->zone_popover, FALSE);
  gtk_popover_set_has_arrow (row->zone_popover, FALSE);
  gtk_popover_set_position (row->zone_popover, GTK_POS_BOTTOM);
  gtk_widget_set_halign (GTK_WIDGET (row->zone_popover), GTK_ALIGN_START);
  gtk_widget_set_focusable (GTK_WIDGET (row->zone_popover), FALSE);
  gtk_popover_set_child (row->zone_popover, scroller);
  gtk_widget_add_css_class (GTK_WIDGET (row->zone_popover), "deca-zone-suggestions");
  gtk_widget_set_parent (GTK_WIDGET (row->zone_popover), GTK_WIDGET (row->timezone_row));

  row->zone_keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (row->zone_keys, GTK_PHASE_CAPTURE);
  g_signal_connect (row->zone_keys, "key-pressed", G_CALLBACK (zone_key_pressed_cb), row);
  gtk_widget_add_controller (GTK_WIDGET (row->timezone_row), row->zone_keys);
  row->zone_focus = gtk_event_controller_focus_new ();
  g_signal_connect (row->zone_focus, "leave", G_CALLBACK (zone_focus_leave_cb), row);
  gtk_widget_add_controller (GTK_WIDGET (row->timezone_row), row->zone_focus);

  gtk_accessible_update_property (GTK_ACCESSIBLE (row->timezone_row),
                                  GTK_ACCESSIBLE_PROPERTY_AUTOCOMPLETE,
                                  GTK_ACCESSIBLE_AUTOCOMPLETE_LIST, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->timezone_row),
                                  GTK_ACCESSIBLE_RELATION_CONTROLS, row->zone_list, NULL, -1);
}

/* ---- rows ----------------------------------------------------------------------------------- */

static AdwEntryRow *
add_entry (TriggerRow *row,
           const char *title,
           const char *member)
{
  AdwEntryRow *entry = ADW_ENTRY_ROW (adw_entry_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (entry), FALSE);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (entry));
  g_signal_connect (entry, "changed", G_CALLBACK (field_changed_cb), row);
  add_error_row (row, member);
  return entry;
}

/* Where the webhook is called, how long a caller waits for its response, and who may
 * call it. */
static void
add_webhook_rows (TriggerRow *row)
{
  const char *auth_titles[] = {
    C_("signature check", "None"),
    _("Shared secret in a header"),
    _("HMAC-SHA256 signature"),
    NULL
  };
  GtkWidget *spin;
  g_autofree char *placeholder = NULL;
  g_autofree char *number = g_strdup_printf ("%d", DEFAULT_RESPONSE_TIMEOUT);

  /* Read-only: the title can be selected, the button copies the path. */
  row->url_row = ADW_ACTION_ROW (adw_action_row_new ());
  /* A path is text: "&" and "<" in it are not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->url_row), FALSE);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row->url_row), FALSE);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row->url_row), TRUE);
  /* Translators: below a webhook's URL, "POST /webhook/{workspace}/orders"; keep
   * {workspace} as it is, it is part of the URL shown */
  adw_action_row_set_subtitle (row->url_row,
                               _("{workspace} stands for the id of the flow’s workspace on the server"));
  gtk_widget_add_css_class (GTK_WIDGET (row->url_row), "deca-trigger-url");
  row->copy_url_button = GTK_BUTTON (gtk_button_new_from_icon_name ("edit-copy-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (row->copy_url_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->copy_url_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->copy_url_button), _("Copy Path"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->copy_url_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Path"), -1);
  adw_action_row_add_suffix (row->url_row, GTK_WIDGET (row->copy_url_button));
  g_signal_connect (row->copy_url_button, "clicked", G_CALLBACK (copy_url_clicked_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->url_row));

  /* Empty is the default, which the placeholder says, as in the node forms. */
  spin = gtk_spin_button_new_with_range (MIN_RESPONSE_TIMEOUT, MAX_RESPONSE_TIMEOUT, 1);
  row->response_timeout_spin = GTK_SPIN_BUTTON (spin);
  gtk_spin_button_set_digits (row->response_timeout_spin, 0);
  gtk_spin_button_set_numeric (row->response_timeout_spin, TRUE);
  gtk_spin_button_set_value (row->response_timeout_spin, DEFAULT_RESPONSE_TIMEOUT);
  row->response_timeout_unset = TRUE;
  placeholder = g_strdup_printf (_("%s (default)"), number);
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (spin))),
                                 placeholder);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin),
                                MAX (gtk_editable_get_width_chars (GTK_EDITABLE (spin)),
                                     (int) g_utf8_strlen (placeholder, -1)));
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  row->response_timeout_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->response_timeout_row),
                                 _("Response timeout"));
  adw_action_row_set_subtitle (row->response_timeout_row,
                               _("Seconds a caller waits for a respond node"));
  adw_action_row_add_suffix (row->response_timeout_row, spin);
  adw_action_row_set_activatable_widget (row->response_timeout_row, spin);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row->response_timeout_row,
                                  NULL, -1);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->response_timeout_row));
  add_error_row (row, "response_timeout");
  response_timeout_show (row);
  g_signal_connect (spin, "input", G_CALLBACK (response_timeout_input_cb), row);
  g_signal_connect (spin, "output", G_CALLBACK (response_timeout_output_cb), row);
  g_signal_connect (spin, "value-changed", G_CALLBACK (response_timeout_changed_cb), row);

  row->auth_choices = gtk_string_list_new (auth_titles);
  row->auth_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->auth_row), _("Signature check"));
  /* The choices are too long to sit beside the title in a narrow sidebar. */
  adw_combo_row_set_use_subtitle (row->auth_row, TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->auth_row),
                               _("Without a check, anyone who knows the URL can start the flow"));
  adw_combo_row_set_model (row->auth_row, G_LIST_MODEL (row->auth_choices));
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->auth_row));
  /* Also the auth object's own problems (not an object, an unknown type or member). */
  add_error_row (row, "auth");

  row->auth_header_row = add_entry (row, _("Header"), "auth/header");
  row->auth_credential_row = add_entry (row, _("Credential"), "auth/credential");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->auth_credential_row),
                               _("The name of a credential of the flow’s workspace on the server; "
                                 "its “secret” field is the shared secret"));
  row->auth_prefix_row = add_entry (row, _("Prefix (empty: sha256=)"), "auth/prefix");
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (row->auth_prefix_row))),
                                 DEFAULT_SIGNATURE_PREFIX);
  auth_rows_update (row);
  g_signal_connect (row->auth_row, "notify::selected", G_CALLBACK (auth_changed_cb), row);
}

static void
load_missed (TriggerRow *row,
             JsonObject *trigger)
{
  const char *policy = deca_json_object_get_string (trigger, "missed");
  double limit = DEFAULT_CATCH_UP_LIMIT;
  guint selected = 0;

  for (guint i = 0; policy && missed_policies[i]; i++)
    if (g_str_equal (policy, missed_policies[i]))
      selected = i;
  deca_json_object_get_number (trigger, "catch_up_limit", &limit);
  adw_combo_row_set_selected (row->missed_row, selected);
  gtk_spin_button_set_value (row->catch_up_spin, limit);
  gtk_widget_set_visible (GTK_WIDGET (row->catch_up_row),
                          g_str_equal (missed_policies[selected], "run_all"));
}

/* What happens to the times missed while the server was down, and how many of them at
 * most are run. */
static void
add_missed_rows (TriggerRow *row)
{
  const char *titles[] = {
    _("Run once"),
    _("Skip them"),
    _("Run each, up to a limit"),
    NULL
  };
  g_autoptr(GtkStringList) choices = gtk_string_list_new (titles);

  row->missed_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->missed_row), _("Missed runs"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->missed_row),
                               _("Times that passed while the server was down"));
  adw_combo_row_set_model (row->missed_row, G_LIST_MODEL (choices));
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->missed_row));
  add_error_row (row, "missed");

  row->catch_up_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 1000, 1));
  gtk_widget_set_valign (GTK_WIDGET (row->catch_up_spin), GTK_ALIGN_CENTER);
  gtk_spin_button_set_value (row->catch_up_spin, DEFAULT_CATCH_UP_LIMIT);
  row->catch_up_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->catch_up_row), _("At most"));
  adw_action_row_set_subtitle (row->catch_up_row, _("The latest of the missed times are run"));
  adw_action_row_add_suffix (row->catch_up_row, GTK_WIDGET (row->catch_up_spin));
  adw_action_row_set_activatable_widget (row->catch_up_row, GTK_WIDGET (row->catch_up_spin));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->catch_up_spin),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row->catch_up_row, NULL,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (row->catch_up_row), FALSE);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->catch_up_row));
  add_error_row (row, "catch_up_limit");

  g_signal_connect (row->missed_row, "notify::selected", G_CALLBACK (missed_changed_cb), row);
  g_signal_connect (row->catch_up_spin, "value-changed", G_CALLBACK (catch_up_changed_cb), row);
}

static void
trigger_row_load (TriggerRow *row,
                  JsonObject *trigger)
{
  if (row->apply_source != 0)
    return;

  row->loading = TRUE;
  if (row->path_row)
    {
      const char *path = deca_json_object_get_string (trigger, "path");
      const char *method = deca_json_object_get_string (trigger, "method");
      guint selected = 1;   /* POST, the default */

      set_entry_text (row->path_row, path);
      for (guint i = 0; method && webhook_methods[i]; i++)
        if (g_ascii_strcasecmp (method, webhook_methods[i]) == 0)
          selected = i;
      adw_combo_row_set_selected (row->method_row, selected);
      adw_expander_row_set_subtitle (row->expander, path ? path : "");
      load_response_timeout (row, trigger);
      load_auth (row, trigger);
      update_url (row);
    }
  if (row->cron_row)
    {
      set_entry_text (row->cron_row, deca_json_object_get_string (trigger, "cron"));
      set_entry_text (row->timezone_row, deca_json_object_get_string (trigger, "timezone"));
      update_preview (row);
      load_missed (row, trigger);
    }
  if (row->event_row)
    {
      const char *event = deca_json_object_get_string (trigger, "event");

      set_entry_text (row->event_row, event);
      adw_expander_row_set_subtitle (row->expander, event ? event : "");
    }
  row->loading = FALSE;
}

static TriggerRow *
trigger_row_new (DecaTriggerEditor *self,
                 guint              index,
                 JsonObject        *trigger)
{
  TriggerRow *row = g_new0 (TriggerRow, 1);
  GtkWidget *icon;
  g_autofree char *remove_label = NULL;

  row->editor = self;
  row->index = index;
  row->type = g_strdup (deca_json_object_get_string (trigger, "type"));
  row->error_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  row->problems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  row->expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->expander), type_title (row->type));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row->expander), FALSE);
  /* The subtitle is the path or the event as typed: "&" and "<" in it are not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->expander), FALSE);
  icon = gtk_image_new_from_icon_name (type_icon (row->type));
  adw_expander_row_add_prefix (row->expander, icon);

  row->remove_button = GTK_BUTTON (gtk_button_new_from_icon_name ("user-trash-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (row->remove_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->remove_button), "flat");
  /* Translators: the accessible name of a trigger's remove button, "Remove Schedule" */
  remove_label = g_strdup_printf (_("Remove %s"), type_title (row->type));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->remove_button), remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  adw_expander_row_add_action (row->expander, GTK_WIDGET (row->remove_button));
  g_signal_connect (row->remove_button, "clicked", G_CALLBACK (remove_clicked_cb), row);

  if (g_strcmp0 (row->type, "webhook") == 0)
    {
      g_autoptr(GtkStringList) methods = gtk_string_list_new ((const char * const *) webhook_methods);

      row->path_row = add_entry (row, _("Path"), "path");
      row->method_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->method_row), _("Method"));
      adw_combo_row_set_model (row->method_row, G_LIST_MODEL (methods));
      adw_expander_row_add_row (row->expander, GTK_WIDGET (row->method_row));
      g_signal_connect (row->method_row, "notify::selected", G_CALLBACK (method_changed_cb), row);
      add_error_row (row, "method");
      add_webhook_rows (row);
    }
  else if (g_strcmp0 (row->type, "schedule") == 0)
    {
      row->cron_row = add_entry (row, _("Cron expression"), "cron");
      row->timezone_row = add_entry (row, _("Time zone (empty: UTC)"), "timezone");
      zone_suggestions_attach (row);
      row->description_row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->description_row), _("Runs"));
      adw_expander_row_add_row (row->expander, GTK_WIDGET (row->description_row));
      row->next_times_row = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->next_times_row), _("Next runs"));
      gtk_widget_add_css_class (GTK_WIDGET (row->next_times_row), "deca-trigger-next-times");
      adw_expander_row_add_row (row->expander, GTK_WIDGET (row->next_times_row));
      add_missed_rows (row);
    }
  else if (g_strcmp0 (row->type, "event") == 0)
    row->event_row = add_entry (row, _("Event name"), "event");
  else
    {
      GtkWidget *note = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (note),
                                     g_strcmp0 (row->type, "manual") == 0
                                       ? _("Started by hand: with deca run or through the API")
                                       : _("The studio cannot edit this kind of trigger"));
      adw_expander_row_add_row (row->expander, note);
      adw_expander_row_set_subtitle (row->expander,
                                     g_strcmp0 (row->type, "manual") == 0 ? _("Run by hand") : "");
    }
  add_error_row (row, "type");

  trigger_row_load (row, trigger);
  return row;
}

static void
clear_rows (DecaTriggerEditor *self)
{
  g_autoptr(GPtrArray) rows = g_steal_pointer (&self->rows);

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) trigger_row_free);
  g_ptr_array_set_free_func (rows, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      TriggerRow *row = g_ptr_array_index (rows, i);
      AdwExpanderRow *expander = row->expander;

      /* Handlers go first: removing a focused row emits focus changes. */
      trigger_row_free (row);
      adw_preferences_group_remove (self->group, GTK_WIDGET (expander));
    }
}

static gboolean
shape_matches (DecaTriggerEditor *self,
               JsonArray         *triggers)
{
  if (json_array_get_length (triggers) != self->rows->len)
    return FALSE;
  for (guint i = 0; i < self->rows->len; i++)
    {
      TriggerRow *row = g_ptr_array_index (self->rows, i);
      JsonObject *trigger = trigger_at (triggers, i);

      if (g_strcmp0 (row->type, deca_json_object_get_string (trigger, "type")) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
rebuild (DecaTriggerEditor *self)
{
  g_autoptr(JsonArray) triggers = NULL;

  if (self->document == NULL)
    {
      clear_rows (self);
      gtk_widget_set_visible (GTK_WIDGET (self->empty_row), TRUE);
      return;
    }

  triggers = deca_flow_document_get_triggers (self->document);
  if (shape_matches (self, triggers))
    {
      /* Same triggers, other values: update in place so that typing is not disturbed. */
      for (guint i = 0; i < self->rows->len; i++)
        trigger_row_load (g_ptr_array_index (self->rows, i), trigger_at (triggers, i));
      return;
    }

  clear_rows (self);
  for (guint i = 0; i < json_array_get_length (triggers); i++)
    {
      g_autoptr(JsonObject) empty = json_object_new ();
      JsonObject *trigger = trigger_at (triggers, i);
      TriggerRow *row = trigger_row_new (self, i, trigger ? trigger : empty);

      g_ptr_array_add (self->rows, row);
      adw_preferences_group_add (self->group, GTK_WIDGET (row->expander));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->empty_row), self->rows->len == 0);
}

static void
triggers_changed_cb (DecaTriggerEditor *self)
{
  rebuild (self);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  deca_trigger_editor_add (DECA_TRIGGER_EDITOR (widget), g_variant_get_string (parameter, NULL));
}

/* ---- public ------------------------------------------------------------------------------ */

GtkWidget *
deca_trigger_editor_new (void)
{
  return g_object_new (DECA_TYPE_TRIGGER_EDITOR, NULL);
}

void
deca_trigger_editor_set_document (DecaTriggerEditor *self,
                                  DecaFlowDocument  *document)
{
  g_return_if_fail (DECA_IS_TRIGGER_EDITOR (self));
  g_return_if_fail (document == NULL || DECA_IS_FLOW_DOCUMENT (document));

  if (self->document == document)
    return;
  deca_trigger_editor_flush (self);
  if (self->document)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_set_object (&self->document, document);
  if (document)
    g_signal_connect_swapped (document, "notify::triggers", G_CALLBACK (triggers_changed_cb), self);
  clear_rows (self);
  rebuild (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), document != NULL);
}

void
deca_trigger_editor_add (DecaTriggerEditor *self,
                         const char        *type)
{
  g_autoptr(JsonArray) triggers = NULL;
  g_autoptr(JsonObject) trigger = json_object_new ();
  TriggerRow *row;

  g_return_if_fail (DECA_IS_TRIGGER_EDITOR (self));
  g_return_if_fail (type != NULL);

  if (self->document == NULL)
    return;

  deca_trigger_editor_flush (self);
  json_object_set_string_member (trigger, "type", type);
  if (g_str_equal (type, "webhook"))
    {
      g_autofree char *path = g_strdup_printf ("/%s", deca_flow_document_get_id (self->document));

      json_object_set_string_member (trigger, "path", path);
      json_object_set_string_member (trigger, "method", "POST");
    }
  else if (g_str_equal (type, "schedule"))
    {
      /* Every day at nine: a starting point that reads well in the preview. */
      json_object_set_string_member (trigger, "cron", "0 9 * * *");
      json_object_set_string_member (trigger, "timezone", "UTC");
    }
  else if (g_str_equal (type, "event"))
    json_object_set_string_member (trigger, "event", "");

  triggers = deca_flow_document_get_triggers (self->document);
  json_array_add_object_element (triggers, g_steal_pointer (&trigger));
  deca_flow_document_set_triggers (self->document, triggers);

  /* The document's notify rebuilt the rows; open the new one for editing. */
  if (self->rows->len == 0)
    return;
  row = g_ptr_array_index (self->rows, self->rows->len - 1);
  adw_expander_row_set_expanded (row->expander, TRUE);
  if (row->path_row)
    gtk_widget_grab_focus (GTK_WIDGET (row->path_row));
  else if (row->cron_row)
    gtk_widget_grab_focus (GTK_WIDGET (row->cron_row));
  else if (row->event_row)
    gtk_widget_grab_focus (GTK_WIDGET (row->event_row));
}

/* The member whose error row shows a problem at @pointer inside a trigger
 * ("auth/header"): the nearest enclosing member that has a field in sight ("auth/secret",
 * an unknown member, and the problems of a check's fields while another is shown, go to
 * the check's row, "auth"), else the trigger's type. Returns (transfer none) a key of
 * the error rows. */
static const char *
error_member (TriggerRow *row,
              const char *pointer)
{
  g_autofree char *member = g_strdup (pointer);

  while (*member != '\0')
    {
      gpointer key;
      GtkWidget *input = member_input (row, member);
      char *slash;

      if (g_hash_table_lookup_extended (row->error_rows, member, &key, NULL) &&
          (input == NULL || gtk_widget_get_visible (input)))
        return key;
      slash = strrchr (member, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  return "type";
}

GPtrArray *
deca_trigger_editor_show_problems (DecaTriggerEditor *self,
                                   GPtrArray         *problems)
{
  GPtrArray *left = g_ptr_array_new ();

  g_return_val_if_fail (DECA_IS_TRIGGER_EDITOR (self), left);

  for (guint i = 0; i < self->rows->len; i++)
    g_hash_table_remove_all (((TriggerRow *) g_ptr_array_index (self->rows, i))->problems);

  for (guint p = 0; problems && p < problems->len; p++)
    {
      DecaValidationProblem *problem = g_ptr_array_index (problems, p);
      const char *rest;
      guint64 index;
      char *end;
      TriggerRow *row;
      const char *member;
      const char *inside;
      const char *shown;
      char *message;

      if (!g_str_has_prefix (problem->pointer, "/triggers/"))
        {
          g_ptr_array_add (left, problem);
          continue;
        }
      rest = problem->pointer + strlen ("/triggers/");
      index = g_ascii_strtoull (rest, &end, 10);
      if (end == rest || index >= self->rows->len)
        {
          g_ptr_array_add (left, problem);
          continue;
        }
      row = g_ptr_array_index (self->rows, index);
      inside = *end == '/' ? end + 1 : "";
      member = error_member (row, inside);
      /* A problem shown on an enclosing field's row names the member it is about
       * ("credential: is required" on the check's row); the problems of one row are
       * listed one a line. */
      if (g_str_equal (member, inside) || *inside == '\0')
        message = g_strdup (problem->message);
      else
        message = g_strdup_printf ("%s: %s",
                                   g_str_has_prefix (inside, member) && inside[strlen (member)] == '/'
                                     ? inside + strlen (member) + 1 : inside,
                                   problem->message);
      shown = g_hash_table_lookup (row->problems, member);
      if (shown)
        {
          char *both = g_strdup_printf ("%s\n%s", shown, message);

          g_free (message);
          message = both;
        }
      g_hash_table_insert (row->problems, g_strdup (member), message);
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      TriggerRow *row = g_ptr_array_index (self->rows, i);
      GHashTableIter iter;
      gpointer member;

      g_hash_table_iter_init (&iter, row->error_rows);
      while (g_hash_table_iter_next (&iter, &member, NULL))
        show_member_error (row, member);
    }
  return left;
}

void
deca_trigger_editor_flush (DecaTriggerEditor *self)
{
  g_return_if_fail (DECA_IS_TRIGGER_EDITOR (self));

  for (guint i = 0; self->rows && i < self->rows->len; i++)
    {
      TriggerRow *row = g_ptr_array_index (self->rows, i);

      if (row->apply_source != 0)
        trigger_row_apply (row, TRUE);
    }
  if (self->document)
    deca_edit_burst_end (self->document);
}

GtkWidget *
deca_trigger_editor_get_trigger_row (DecaTriggerEditor *self,
                                     guint              index)
{
  g_return_val_if_fail (DECA_IS_TRIGGER_EDITOR (self), NULL);

  if (index >= self->rows->len)
    return NULL;
  return GTK_WIDGET (((TriggerRow *) g_ptr_array_index (self->rows, index))->expander);
}

GtkWidget *
deca_trigger_editor_get_trigger_widget (DecaTriggerEditor *self,
                                        guint              index,
                                        const char        *field)
{
  TriggerRow *row;

  g_return_val_if_fail (DECA_IS_TRIGGER_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if (index >= self->rows->len)
    return NULL;
  row = g_ptr_array_index (self->rows, index);
  if (g_str_equal (field, "path"))
    return GTK_WIDGET (row->path_row);
  if (g_str_equal (field, "method"))
    return GTK_WIDGET (row->method_row);
  if (g_str_equal (field, "cron"))
    return GTK_WIDGET (row->cron_row);
  if (g_str_equal (field, "timezone"))
    return GTK_WIDGET (row->timezone_row);
  if (g_str_equal (field, "timezone-suggestions"))
    return GTK_WIDGET (row->zone_popover);
  if (g_str_equal (field, "event"))
    return GTK_WIDGET (row->event_row);
  if (g_str_equal (field, "description"))
    return GTK_WIDGET (row->description_row);
  if (g_str_equal (field, "next-times"))
    return GTK_WIDGET (row->next_times_row);
  if (g_str_equal (field, "remove"))
    return GTK_WIDGET (row->remove_button);
  if (g_str_equal (field, "missed"))
    return GTK_WIDGET (row->missed_row);
  if (g_str_equal (field, "catch-up-limit"))
    return GTK_WIDGET (row->catch_up_spin);
  if (g_str_equal (field, "url"))
    return GTK_WIDGET (row->url_row);
  if (g_str_equal (field, "copy-url"))
    return GTK_WIDGET (row->copy_url_button);
  if (g_str_equal (field, "response-timeout"))
    return GTK_WIDGET (row->response_timeout_spin);
  if (g_str_equal (field, "auth"))
    return GTK_WIDGET (row->auth_row);
  if (g_str_equal (field, "auth-header"))
    return GTK_WIDGET (row->auth_header_row);
  if (g_str_equal (field, "auth-credential"))
    return GTK_WIDGET (row->auth_credential_row);
  if (g_str_equal (field, "auth-prefix"))
    return GTK_WIDGET (row->auth_prefix_row);
  /* "error:cron" is the row showing the error of "cron". */
  if (g_str_has_prefix (field, "error:"))
    return g_hash_table_lookup (row->error_rows, field + strlen ("error:"));
  return NULL;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
deca_trigger_editor_dispose (GObject *object)
{
  DecaTriggerEditor *self = DECA_TRIGGER_EDITOR (object);

  if (self->document)
    {
      deca_trigger_editor_flush (self);
      g_signal_handlers_disconnect_by_data (self->document, self);
    }
  g_clear_object (&self->document);
  if (self->rows)
    {
      for (guint i = 0; i < self->rows->len; i++)
        g_clear_handle_id (&((TriggerRow *) g_ptr_array_index (self->rows, i))->apply_source,
                           g_source_remove);
      g_clear_pointer (&self->rows, g_ptr_array_unref);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_TRIGGER_EDITOR);
  G_OBJECT_CLASS (deca_trigger_editor_parent_class)->dispose (object);
}

static void
deca_trigger_editor_class_init (DecaTriggerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_trigger_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-trigger-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaTriggerEditor, group);
  gtk_widget_class_bind_template_child (widget_class, DecaTriggerEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, DecaTriggerEditor, empty_row);
  gtk_widget_class_install_action (widget_class, "triggers.add", "s", add_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "decatriggereditor");
}

static void
deca_trigger_editor_init (DecaTriggerEditor *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) trigger_row_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
}

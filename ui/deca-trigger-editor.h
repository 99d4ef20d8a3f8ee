#pragma once

#include <adwaita.h>

#include "deca-flow-document.h"

G_BEGIN_DECLS

/*
 * DecaTriggerEditor: the list of a flow's triggers (docs/flow-format.md, "Triggers"), with
 * an Add menu (webhook, schedule, event, manual) and a Remove button per trigger. A webhook
 * edits its path and method, shows where it is called ("POST /webhook/{workspace}/orders",
 * with a button that copies the path: the workspace's id is the server's), and edits its
 * response timeout (empty: the default) and its signature check (none, a shared secret in
 * a header, an HMAC-SHA256 signature; the header, the credential's name, the prefix); a
 * schedule its cron expression, with the schedule in words
 * (deca_cron_describe) and the next five fire times in its time zone, both following the
 * typing, and suggests the system's time zones as the zone is typed (any part of the
 * name, ignoring case: "berl" offers Europe/Berlin); an event its event name. Every
 * change is one undoable document edit of the "triggers" array
 * (deca_flow_document_set_triggers); members the editor does not know
 * are kept.
 */

#define DECA_TYPE_TRIGGER_EDITOR (deca_trigger_editor_get_type ())
G_DECLARE_FINAL_TYPE (DecaTriggerEditor, deca_trigger_editor, DECA, TRIGGER_EDITOR, GtkWidget)

GtkWidget *deca_trigger_editor_new          (void);
void       deca_trigger_editor_set_document (DecaTriggerEditor *self,
                                             DecaFlowDocument  *document);
/* Adds a trigger of @type ("webhook", "schedule", "event", "manual") with sensible
 * values and opens it; what the Add menu does. */
void       deca_trigger_editor_add          (DecaTriggerEditor *self,
                                             const char        *type);
/* Shows @problems whose pointer is inside "/triggers" on their trigger's fields: each on
 * the row of its member ("/triggers/0/auth/header"), else of the nearest enclosing member
 * with a field in sight ("/triggers/0/auth/secret" on the signature check's), else of the
 * trigger. Returns (transfer container) the others. */
GPtrArray *deca_trigger_editor_show_problems (DecaTriggerEditor *self,
                                              GPtrArray         *problems);
/* Writes pending edits now. */
void       deca_trigger_editor_flush        (DecaTriggerEditor *self);
/* Returns (transfer none) (nullable) the row of trigger @index (an AdwExpanderRow). */
GtkWidget *deca_trigger_editor_get_trigger_row (DecaTriggerEditor *self,
                                                guint              index);
/* Returns (transfer none) (nullable) the widget of @field ("path", "method", "url",
 * "copy-url", "response-timeout", "auth", "auth-header", "auth-credential", "auth-prefix",
 * "cron", "timezone", "event", "description", "next-times", "missed", "catch-up-limit",
 * "remove") of trigger @index; "timezone-suggestions" is the GtkPopover listing the time
 * zones that match what the time zone field holds, while the person types in it;
 * "error:MEMBER" ("error:auth/header") the row showing the error of that member. */
GtkWidget *deca_trigger_editor_get_trigger_widget (DecaTriggerEditor *self,
                                                   guint              index,
                                                   const char        *field);

G_END_DECLS

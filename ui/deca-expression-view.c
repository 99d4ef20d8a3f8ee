/* deca-expression-view.c: a form row for templates, expressions and JSON. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-expression-view.h"

struct _DecaExpressionView
{
  AdwPreferencesRow parent_instance;

  /* template widgets */
  GtkLabel *title_label;
  GtkSourceView *source_view;
  GtkLabel *error_label;
  GtkLabel *description_label;

  /* owned */
  DecaExpressionCompletion *completion;
  char *error;
  char *description;
  char *accessible_label;
  DecaExpressionViewMode mode;
  gboolean required;
  gulong changed_handler;
};

G_DEFINE_FINAL_TYPE (DecaExpressionView, deca_expression_view, ADW_TYPE_PREFERENCES_ROW)

enum {
  PROP_0,
  PROP_MODE,
  PROP_ERROR,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GType
deca_expression_view_mode_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { DECA_EXPRESSION_VIEW_TEMPLATE, "DECA_EXPRESSION_VIEW_TEMPLATE", "template" },
        { DECA_EXPRESSION_VIEW_EXPRESSION, "DECA_EXPRESSION_VIEW_EXPRESSION", "expression" },
        { DECA_EXPRESSION_VIEW_JSON, "DECA_EXPRESSION_VIEW_JSON", "json" },
        { 0, NULL, NULL }
      };
      g_once_init_leave (&type, g_enum_register_static ("DecaExpressionViewMode", values));
    }
  return type;
}

/* The language definitions for expressions and templates are bundled in the resource.
 * They live in a manager of their own: the default manager reads its search path once,
 * when something first asks it for a language, which may happen before any inspector
 * exists. The manager lives as long as the process, like the default one. */
static GtkSourceLanguage *
language_for_mode (DecaExpressionViewMode mode)
{
  static GtkSourceLanguageManager *deca_languages = NULL;

  if (g_once_init_enter (&deca_languages))
    {
      GtkSourceLanguageManager *manager = gtk_source_language_manager_new ();
      const char * const *defaults =
        gtk_source_language_manager_get_search_path (gtk_source_language_manager_get_default ());
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) path = NULL;

      /* Ours first, then the system's, which has def.lang whose styles ours map to. */
      g_strv_builder_add (builder, "resource:///io/deca/Studio/language-specs");
      g_strv_builder_addv (builder, (const char **) defaults);
      path = g_strv_builder_end (builder);
      gtk_source_language_manager_set_search_path (manager, (const char * const *) path);
      g_once_init_leave (&deca_languages, manager);
    }

  switch (mode)
    {
    case DECA_EXPRESSION_VIEW_TEMPLATE:
      return gtk_source_language_manager_get_language (deca_languages, "deca-template");
    case DECA_EXPRESSION_VIEW_EXPRESSION:
      return gtk_source_language_manager_get_language (deca_languages, "deca-expression");
    case DECA_EXPRESSION_VIEW_JSON:
      return gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                       "json");
    default:
      g_assert_not_reached ();
    }
}

static void
update_style_scheme (DecaExpressionView *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  const char *id = adw_style_manager_get_dark (style) ? "Adwaita-dark" : "Adwaita";

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer),
                                      gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static void
dark_changed_cb (DecaExpressionView *self)
{
  update_style_scheme (self);
}

/* The accessible label is the title (with "required"), the description the error when
 * there is one, so that a screen reader announces it with the field. */
static void
update_accessible (DecaExpressionView *self)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));
  g_autofree char *label = NULL;
  const char *description = self->error ? self->error : self->description;

  if (self->accessible_label)
    title = self->accessible_label;
  if (self->required)
    /* Translators: the accessible name of a required form field, "URL (required)" */
    label = g_strdup_printf (_("%s (required)"), title ? title : "");
  else
    label = g_strdup (title ? title : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->source_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "",
                                  -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->source_view),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               self->error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
update_title (DecaExpressionView *self)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));
  g_autofree char *text = NULL;

  text = self->required ? g_strdup_printf ("%s *", title ? title : "") : g_strdup (title ? title : "");
  gtk_label_set_text (self->title_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->title_label), text[0] != '\0');
  update_accessible (self);
}

static void
title_changed_cb (DecaExpressionView *self)
{
  update_title (self);
}

static void
buffer_changed_cb (DecaExpressionView *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
deca_expression_view_constructed (GObject *object)
{
  DecaExpressionView *self = DECA_EXPRESSION_VIEW (object);
  GtkTextBuffer *text_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (text_buffer);
  GtkSourceLanguage *language = language_for_mode (self->mode);
  GtkSourceCompletion *completion;

  G_OBJECT_CLASS (deca_expression_view_parent_class)->constructed (object);

  gtk_source_buffer_set_language (buffer, language);
  gtk_source_buffer_set_highlight_syntax (buffer, language != NULL);
  gtk_source_buffer_set_highlight_matching_brackets (buffer, TRUE);
  update_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, G_CONNECT_SWAPPED);

  if (self->mode == DECA_EXPRESSION_VIEW_JSON)
    {
      gtk_source_view_set_auto_indent (self->source_view, TRUE);
      gtk_source_view_set_indent_width (self->source_view, 2);
      gtk_source_view_set_insert_spaces_instead_of_tabs (self->source_view, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self), "deca-json-field");
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "deca-expression-field");

  /* Strings inside JSON values are templates too, so JSON completes like a template:
   * inside an open {{. */
  completion = gtk_source_view_get_completion (self->source_view);
  self->completion = deca_expression_completion_new (self->mode != DECA_EXPRESSION_VIEW_EXPRESSION);
  gtk_source_completion_add_provider (completion, GTK_SOURCE_COMPLETION_PROVIDER (self->completion));
  g_object_set (completion, "select-on-show", TRUE, "show-icons", TRUE, NULL);

  self->changed_handler = g_signal_connect_swapped (buffer, "changed",
                                                    G_CALLBACK (buffer_changed_cb), self);
  g_signal_connect (self, "notify::title", G_CALLBACK (title_changed_cb), NULL);
  update_title (self);
}

static gboolean
release_buffer_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
deca_expression_view_dispose (GObject *object)
{
  DecaExpressionView *self = DECA_EXPRESSION_VIEW (object);

  if (self->completion && self->source_view)
    {
      GtkSourceCompletion *completion = gtk_source_view_get_completion (self->source_view);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));

      /* A completion request still in flight finishes in an idle and then deletes its
       * marks from the buffer, which must still exist then (GtkSourceView 5.6 does not
       * see to that). Blocking cancels the request; the buffer is kept until after the
       * request's idle, which runs at a higher priority. */
      gtk_source_completion_block_interactive (completion);
      gtk_source_completion_remove_provider (completion,
                                             GTK_SOURCE_COMPLETION_PROVIDER (self->completion));
      g_idle_add_full (G_PRIORITY_LOW, release_buffer_cb, g_object_ref (buffer), g_object_unref);
    }
  g_clear_object (&self->completion);
  gtk_widget_dispose_template (GTK_WIDGET (self), DECA_TYPE_EXPRESSION_VIEW);
  G_OBJECT_CLASS (deca_expression_view_parent_class)->dispose (object);
}

static void
deca_expression_view_finalize (GObject *object)
{
  DecaExpressionView *self = DECA_EXPRESSION_VIEW (object);

  g_free (self->error);
  g_free (self->description);
  g_free (self->accessible_label);
  G_OBJECT_CLASS (deca_expression_view_parent_class)->finalize (object);
}

static void
deca_expression_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DecaExpressionView *self = DECA_EXPRESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_expression_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  DecaExpressionView *self = DECA_EXPRESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      self->mode = g_value_get_enum (value);
      break;
    case PROP_ERROR:
      deca_expression_view_set_error (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
deca_expression_view_class_init (DecaExpressionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = deca_expression_view_constructed;
  object_class->dispose = deca_expression_view_dispose;
  object_class->finalize = deca_expression_view_finalize;
  object_class->get_property = deca_expression_view_get_property;
  object_class->set_property = deca_expression_view_set_property;

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, DECA_TYPE_EXPRESSION_VIEW_MODE,
                       DECA_EXPRESSION_VIEW_TEMPLATE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DecaExpressionView::changed:
   * The person changed the text (typing, pasting, completion).
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/deca/Studio/ui/deca-expression-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DecaExpressionView, title_label);
  gtk_widget_class_bind_template_child (widget_class, DecaExpressionView, source_view);
  gtk_widget_class_bind_template_child (widget_class, DecaExpressionView, error_label);
  gtk_widget_class_bind_template_child (widget_class, DecaExpressionView, description_label);
}

static void
deca_expression_view_init (DecaExpressionView *self)
{
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->source_view),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  -1);
}

GtkWidget *
deca_expression_view_new (DecaExpressionViewMode mode)
{
  return g_object_new (DECA_TYPE_EXPRESSION_VIEW, "mode", mode, NULL);
}

DecaExpressionViewMode
deca_expression_view_get_mode (DecaExpressionView *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_VIEW (self), DECA_EXPRESSION_VIEW_TEMPLATE);
  return self->mode;
}

char *
deca_expression_view_dup_text (DecaExpressionView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (DECA_IS_EXPRESSION_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
deca_expression_view_set_text (DecaExpressionView *self,
                               const char         *text)
{
  GtkTextBuffer *buffer;
  GtkTextIter cursor;
  int offset;
  g_autofree char *current = NULL;

  g_return_if_fail (DECA_IS_EXPRESSION_VIEW (self));

  current = deca_expression_view_dup_text (self);
  if (g_strcmp0 (current, text ? text : "") == 0)
    return;

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  offset = gtk_text_iter_get_offset (&cursor);
  g_signal_handler_block (buffer, self->changed_handler);
  /* Loading a value is not something the person should undo inside the text view. */
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, text ? text : "", -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  /* A change from elsewhere (an undo, a rename rewriting references) keeps the cursor
   * where it was, as far as the new text allows. */
  gtk_text_buffer_get_iter_at_offset (buffer, &cursor, offset);
  gtk_text_buffer_place_cursor (buffer, &cursor);
  g_signal_handler_unblock (buffer, self->changed_handler);
}

void
deca_expression_view_set_error (DecaExpressionView *self,
                                const char         *message)
{
  g_return_if_fail (DECA_IS_EXPRESSION_VIEW (self));

  if (message != NULL && *message == '\0')
    message = NULL;
  if (g_strcmp0 (self->error, message) == 0)
    return;

  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message)
    gtk_widget_add_css_class (GTK_WIDGET (self), "deca-field-invalid");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "deca-field-invalid");
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

const char *
deca_expression_view_get_error (DecaExpressionView *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_VIEW (self), NULL);
  return self->error;
}

void
deca_expression_view_set_description (DecaExpressionView *self,
                                      const char         *description)
{
  g_return_if_fail (DECA_IS_EXPRESSION_VIEW (self));

  if (description != NULL && *description == '\0')
    description = NULL;
  g_free (self->description);
  self->description = g_strdup (description);
  gtk_label_set_text (self->description_label, description ? description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), description != NULL);
  update_accessible (self);
}

void
deca_expression_view_set_required (DecaExpressionView *self,
                                   gboolean            required)
{
  g_return_if_fail (DECA_IS_EXPRESSION_VIEW (self));

  self->required = !!required;
  update_title (self);
}

void
deca_expression_view_set_accessible_label (DecaExpressionView *self,
                                           const char         *label)
{
  g_return_if_fail (DECA_IS_EXPRESSION_VIEW (self));

  if (g_strcmp0 (self->accessible_label, label) == 0)
    return;
  g_free (self->accessible_label);
  self->accessible_label = g_strdup (label);
  /* The visible title no longer names the text; the label relation would add it. */
  if (label != NULL)
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->source_view),
                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  else
    gtk_accessible_update_relation (GTK_ACCESSIBLE (self->source_view),
                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                    -1);
  update_accessible (self);
}

DecaExpressionCompletion *
deca_expression_view_get_completion (DecaExpressionView *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_VIEW (self), NULL);
  return self->completion;
}

GtkSourceView *
deca_expression_view_get_source_view (DecaExpressionView *self)
{
  g_return_val_if_fail (DECA_IS_EXPRESSION_VIEW (self), NULL);
  return self->source_view;
}

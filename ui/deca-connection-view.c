/* deca-connection-view.c: a connection's label (or dot) at the middle of its curve. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-connection-view.h"

struct _DecaConnectionView
{
  GtkWidget parent_instance;

  /* owned; both children exist only while they have something to show */
  GtkWidget *badge;
  GtkWidget *label;
  DecaFlowConnectionItem *item;
  gulong notify_id;
  gboolean selected;

  DecaConnectionGeometry geometry;
};

G_DEFINE_FINAL_TYPE (DecaConnectionView, deca_connection_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
deca_connection_view_get_port_label (DecaConnectionView *self)
{
  const char *port;

  g_return_val_if_fail (DECA_IS_CONNECTION_VIEW (self), NULL);

  port = deca_flow_connection_item_get_from_port (self->item);
  if (deca_flow_connection_item_get_on_error (self->item))
    return DECA_NODE_PORT_ERROR;
  if (deca_flow_connection_item_get_has_from_port (self->item)
      && !g_str_equal (port, DECA_NODE_PORT_MAIN))
    return port;
  return NULL;
}

char *
deca_connection_view_dup_accessible_name (DecaConnectionView *self)
{
  const char *from, *to, *port, *condition;
  GPtrArray *problems;
  g_autoptr(GString) name = NULL;

  g_return_val_if_fail (DECA_IS_CONNECTION_VIEW (self), NULL);

  from = deca_flow_connection_item_get_from (self->item);
  to = deca_flow_connection_item_get_to (self->item);
  port = deca_connection_view_get_port_label (self);
  condition = deca_flow_connection_item_get_condition (self->item);
  problems = deca_flow_connection_item_get_problems (self->item);

  if (deca_flow_connection_item_get_on_error (self->item))
    {
      g_autofree char *text = g_strdup_printf (_("Fallback connection from %s to %s"), from, to);
      name = g_string_new (text);
    }
  else if (port)
    {
      g_autofree char *text = g_strdup_printf (_("Connection from %s, port %s, to %s"),
                                               from, port, to);
      name = g_string_new (text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Connection from %s to %s"), from, to);
      name = g_string_new (text);
    }
  if (condition)
    {
      /* Translators: appended to a connection's name: ", when <condition>". */
      g_string_append_printf (name, _(", when %s"), condition);
    }
  if (problems->len > 0)
    {
      g_string_append (name, ", ");
      g_string_append_printf (name, g_dngettext (GETTEXT_PACKAGE, "%u problem",
                                                 "%u problems", problems->len),
                              problems->len);
    }
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

static void
update (DecaConnectionView *self)
{
  const char *port = deca_connection_view_get_port_label (self);
  const char *condition = deca_flow_connection_item_get_condition (self->item);
  GPtrArray *problems = deca_flow_connection_item_get_problems (self->item);
  g_autofree char *text = NULL;
  g_autofree char *name = deca_connection_view_dup_accessible_name (self);

  if (port && condition)
    /* Translators: a connection's label: "<port>: <condition>". */
    text = g_strdup_printf (_("%s: %s"), port, condition);
  else
    text = g_strdup (condition ? condition : port);

  if (text && !self->label)
    {
      self->label = gtk_label_new (NULL);
      gtk_label_set_ellipsize (GTK_LABEL (self->label), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (self->label), 28);
      gtk_label_set_single_line_mode (GTK_LABEL (self->label), TRUE);
      gtk_widget_set_parent (self->label, GTK_WIDGET (self));
    }
  else if (!text && self->label)
    g_clear_pointer (&self->label, gtk_widget_unparent);
  if (self->label)
    gtk_label_set_text (GTK_LABEL (self->label), text);

  if (problems->len > 0)
    {
      g_autoptr(GString) tooltip = g_string_new (NULL);
      g_autofree char *count = g_strdup_printf ("%u", problems->len);

      if (!self->badge)
        {
          self->badge = gtk_label_new (NULL);
          gtk_widget_add_css_class (self->badge, "problem-badge");
          gtk_widget_insert_after (self->badge, GTK_WIDGET (self), NULL);
        }
      for (guint i = 0; i < problems->len; i++)
        {
          DecaValidationProblem *problem = g_ptr_array_index (problems, i);

          if (i > 0)
            g_string_append_c (tooltip, '\n');
          g_string_append (tooltip, problem->message);
        }
      gtk_label_set_text (GTK_LABEL (self->badge), count);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip->str);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip->str,
                                      -1);
    }
  else
    {
      g_clear_pointer (&self->badge, gtk_widget_unparent);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }

  set_class (GTK_WIDGET (self), "labelled", text != NULL || problems->len > 0);
  set_class (GTK_WIDGET (self), "conditional", condition != NULL);
  set_class (GTK_WIDGET (self), "fallback",
             deca_flow_connection_item_get_on_error (self->item));
  set_class (GTK_WIDGET (self), "problem", problems->len > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

static void
item_notify_cb (DecaConnectionView *self,
                GParamSpec         *pspec,
                GObject            *item)
{
  update (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
deca_connection_view_dispose (GObject *object)
{
  DecaConnectionView *self = DECA_CONNECTION_VIEW (object);

  if (self->item)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_clear_pointer (&self->badge, gtk_widget_unparent);
  g_clear_pointer (&self->label, gtk_widget_unparent);
  g_clear_object (&self->item);
  g_clear_pointer (&self->geometry.node, gsk_render_node_unref);
  self->geometry.from_view = NULL;
  self->geometry.to_view = NULL;

  G_OBJECT_CLASS (deca_connection_view_parent_class)->dispose (object);
}

static void
deca_connection_view_class_init (DecaConnectionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = deca_connection_view_dispose;

  /**
   * DecaConnectionView::changed:
   *
   * The item changed (its ends, port, condition or problems): the canvas draws its curve
   * again.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "decaconnectionview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
}

static void
deca_connection_view_init (DecaConnectionView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 4);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
deca_connection_view_new (DecaFlowConnectionItem *item)
{
  DecaConnectionView *self;

  g_return_val_if_fail (DECA_IS_FLOW_CONNECTION_ITEM (item), NULL);

  self = g_object_new (DECA_TYPE_CONNECTION_VIEW, NULL);
  self->item = g_object_ref (item);
  self->notify_id = g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb),
                                             self, G_CONNECT_SWAPPED);
  update (self);
  return GTK_WIDGET (self);
}

DecaFlowConnectionItem *
deca_connection_view_get_item (DecaConnectionView *self)
{
  g_return_val_if_fail (DECA_IS_CONNECTION_VIEW (self), NULL);

  return self->item;
}

DecaConnectionGeometry *
deca_connection_view_get_geometry (DecaConnectionView *self)
{
  g_return_val_if_fail (DECA_IS_CONNECTION_VIEW (self), NULL);

  return &self->geometry;
}

gboolean
deca_connection_view_get_selected (DecaConnectionView *self)
{
  g_return_val_if_fail (DECA_IS_CONNECTION_VIEW (self), FALSE);

  return self->selected;
}

void
deca_connection_view_set_selected (DecaConnectionView *self,
                                   gboolean            selected)
{
  g_return_if_fail (DECA_IS_CONNECTION_VIEW (self));

  selected = !!selected;
  if (self->selected == selected)
    return;
  self->selected = selected;
  set_class (GTK_WIDGET (self), "selected", selected);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_SELECTED,
                               selected, -1);
  g_clear_pointer (&self->geometry.node, gsk_render_node_unref);
}

/* deca-history-panel.c */
#include "config.h"

#include "deca-history-panel.h"

struct _DecaHistoryPanel
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaHistoryPanel, deca_history_panel, GTK_TYPE_WIDGET)

static void deca_history_panel_class_init (DecaHistoryPanelClass *klass) {}
static void deca_history_panel_init (DecaHistoryPanel *self) {}

/* deca-flow-list.c */
#include "config.h"

#include "deca-flow-list.h"

struct _DecaFlowList
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaFlowList, deca_flow_list, GTK_TYPE_WIDGET)

static void deca_flow_list_class_init (DecaFlowListClass *klass) {}
static void deca_flow_list_init (DecaFlowList *self) {}

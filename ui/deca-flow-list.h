#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DECA_TYPE_FLOW_LIST (deca_flow_list_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlowList, deca_flow_list, DECA, FLOW_LIST, GtkWidget)

G_END_DECLS

/* deca-window.c */
#include "config.h"

#include "deca-window.h"

struct _DecaWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaWindow, deca_window, ADW_TYPE_APPLICATION_WINDOW)

static void deca_window_class_init (DecaWindowClass *klass) {}
static void deca_window_init (DecaWindow *self) {}

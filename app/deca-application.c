/* deca-application.c: the studio's AdwApplication. */
#include "config.h"

#include "deca-application.h"

struct _DecaApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaApplication, deca_application, ADW_TYPE_APPLICATION)

static void deca_application_class_init (DecaApplicationClass *klass) {}
static void deca_application_init (DecaApplication *self) {}

DecaApplication *
deca_application_new (void)
{
  return g_object_new (DECA_TYPE_APPLICATION,
                       "application-id", "io.deca.Studio",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/deca/Studio",
                       NULL);
}

/* test-window.c: the studio's main window. */

#include "deca-ui-test.h"
#include "deca-window.h"

static void
test_window_type (void)
{
  g_assert_true (g_type_is_a (DECA_TYPE_WINDOW, ADW_TYPE_APPLICATION_WINDOW));
}

int
main (int argc, char *argv[])
{
  deca_ui_test_init (&argc, &argv);
  g_test_add_func ("/deca/ui/window/type", test_window_type);
  return g_test_run ();
}

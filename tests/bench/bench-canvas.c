/* bench-canvas.c: the frame time of the flow canvas while panning and zooming a flow of
 * 1,000 nodes and 1,500 connections, in a 1280x800 window (run under xvfb).
 *
 * Each frame sets a new view (alternately a pan step and a zoom step) from a tick
 * callback; the frame's time is from the frame clock's before-paint to its after-paint,
 * which holds the layout, the snapshot and the render. Prints the median:
 *
 *   BENCH canvas_frame_ms <median> ms
 *
 * and the resident memory with the flow open (BENCH canvas_rss_mb). DECA_CANVAS_DEBUG
 * (no-cull, no-cache, no-lod, no-texture) turns the canvas's shortcuts off for comparison. */

#include <stdio.h>
#include <math.h>
#include <adwaita.h>

#include "deca-canvas.h"
#include "deca-engine.h"
#include "deca-ui.h"

#define COLUMNS 40
#define ROWS 25
#define N_CONNECTIONS 1500
#define WARMUP_FRAMES 30
#define FRAMES 400

typedef struct {
  DecaCanvas *canvas;
  GArray *times;          /* double, ms */
  gint64 frame_start;
  guint frame;
  gboolean done;
} Bench;

/* A grid of cards 280 x 120 apart (the layout's spacing); each connects to its right
 * neighbour, and the first ones also diagonally down-right: acyclic, all short. */
static char *
build_flow (void)
{
  GString *json = g_string_new ("{ \"id\": \"bench\", \"name\": \"Bench\", \"version\": 1, "
                                "\"nodes\": [");
  guint n = 0;

  for (guint r = 0; r < ROWS; r++)
    for (guint c = 0; c < COLUMNS; c++)
      g_string_append_printf (json,
                              "%s{ \"id\": \"n%u-%u\", \"type\": \"transform\", "
                              "\"config\": { \"source\": 1 }, "
                              "\"position\": { \"x\": %u, \"y\": %u } }",
                              r + c == 0 ? "" : ", ", r, c, c * 280, r * 120);
  g_string_append (json, "], \"connections\": [");
  for (guint r = 0; r < ROWS && n < N_CONNECTIONS; r++)
    for (guint c = 0; c + 1 < COLUMNS && n < N_CONNECTIONS; c++, n++)
      g_string_append_printf (json, "%s{ \"from\": \"n%u-%u\", \"to\": \"n%u-%u\" }",
                              n == 0 ? "" : ", ", r, c, r, c + 1);
  for (guint r = 0; r + 1 < ROWS && n < N_CONNECTIONS; r++)
    for (guint c = 0; c + 1 < COLUMNS && n < N_CONNECTIONS; c++, n++)
      g_string_append_printf (json, ", { \"from\": \"n%u-%u\", \"to\": \"n%u-%u\" }",
                              r, c, r + 1, c + 1);
  g_string_append (json, "] }");
  return g_string_free (json, FALSE);
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Bench         *bench)
{
  bench->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  double ms = (g_get_monotonic_time () - bench->frame_start) / 1000.0;

  if (bench->frame_start == 0)
    return;
  if (bench->frame > WARMUP_FRAMES)
    g_array_append_val (bench->times, ms);
  bench->frame_start = 0;
}

/* The next view: even frames pan diagonally through the flow, odd frames zoom between
 * 50 % and 150 % around the middle of the view. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Bench *bench = data;
  double ox, oy, zoom = deca_canvas_get_zoom (bench->canvas);
  guint i = bench->frame++;

  if (bench->frame > WARMUP_FRAMES + FRAMES)
    {
      bench->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  deca_canvas_get_offset (bench->canvas, &ox, &oy);
  if (i % 2 == 0)
    {
      /* Back and forth over a band of the flow, 24 widget pixels a frame. */
      double step = (i / 200) % 2 == 0 ? 24 : -24;

      deca_canvas_set_view (bench->canvas, ox + step / zoom, oy + step / 2 / zoom, zoom);
    }
  else
    {
      double next = 1.0 + 0.5 * sin (i / 23.0);
      double w = gtk_widget_get_width (widget) / 2.0, h = gtk_widget_get_height (widget) / 2.0;
      double cx = ox + w / zoom, cy = oy + h / zoom;

      deca_canvas_set_view (bench->canvas, cx - w / next, cy - h / next, next);
    }
  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : 0;
}

int
main (int argc, char *argv[])
{
  g_autoptr(DecaNodeRegistry) registry = NULL;
  g_autoptr(DecaFlowDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  g_autofree char *flow = NULL;
  GtkWindow *window;
  GdkFrameClock *clock;
  Bench bench = { 0 };
  double median;

  deca_ui_choose_renderer ();
  gtk_init ();
  adw_init ();
  deca_ui_init ();
  /* The studio's style, which AdwApplication would load. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/deca/Studio/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  registry = deca_node_registry_new_builtin ();
  flow = build_flow ();
  document = deca_flow_document_new_from_data (registry, flow, -1, &error);
  if (!document)
    g_error ("%s", error->message);
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_nodes (document)), ==,
                    COLUMNS * ROWS);
  g_assert_cmpuint (g_list_model_get_n_items (deca_flow_document_get_connections (document)),
                    ==, N_CONNECTIONS);

  bench.canvas = DECA_CANVAS (deca_canvas_new ());
  bench.times = g_array_new (FALSE, FALSE, sizeof (double));
  deca_canvas_set_document (bench.canvas, document);
  deca_canvas_set_show_minimap (bench.canvas, TRUE);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_set_child (window, GTK_WIDGET (bench.canvas));
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (bench.canvas)))
    g_main_context_iteration (NULL, TRUE);
  deca_canvas_set_view (bench.canvas, 0, 0, 1.0);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench.canvas));
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &bench);
  gtk_widget_add_tick_callback (GTK_WIDGET (bench.canvas), tick_cb, &bench, NULL);
  while (!bench.done)
    g_main_context_iteration (NULL, TRUE);

  g_array_sort (bench.times, compare_doubles);
  median = g_array_index (bench.times, double, bench.times->len / 2);
  printf ("BENCH canvas_frame_ms %.2f ms\n", median);
  printf ("BENCH canvas_rss_mb %.1f MB\n", rss_mb ());

  g_signal_handlers_disconnect_by_data (clock, &bench);
  gtk_window_destroy (window);
  g_array_unref (bench.times);
  return 0;
}

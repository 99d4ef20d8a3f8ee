/* deca-connection-view.c: placeholder until the canvas lands. */
#include "deca-canvas.h"

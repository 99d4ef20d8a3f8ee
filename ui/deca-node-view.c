/* deca-node-view.c: placeholder until the canvas lands. */
#include "deca-canvas.h"

// SPDX-License-Identifier: MIT
#include "rt.h"
int main(const struct vmrv_iplblock *ipl) { return 0; }

// placeholder: being written (issue 8)
#include "logparse/netflow_decoder.hpp"

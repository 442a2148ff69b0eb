// placeholder: being written (issue 8)
#include "logparse/leef_parser.hpp"

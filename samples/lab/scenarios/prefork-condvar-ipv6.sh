# desc: the motivating incident over IPv6 (::1): prefork.py 4 workers, backlog 8, 2 stuck; captures on lo and on any (SLL2)
source "$LAB_DIR/prefork-py.sh"
PREFORK_PY_ANY=1
prefork_py_scenario prefork-condvar-ipv6 4 8 2 500 80 ::1

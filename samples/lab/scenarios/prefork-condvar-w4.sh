# desc: the motivating incident: prefork.py 4 workers sharing one socket (backlog 8), 2 stuck on a lost Condition notify; accept queue overflows
source "$LAB_DIR/prefork-py.sh"
prefork_py_scenario prefork-condvar-w4 4 8 2 800 100

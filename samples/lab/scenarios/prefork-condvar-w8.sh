# desc: the motivating incident again: prefork.py 8 workers (backlog 16), 3 stuck on a lost Condition notify
source "$LAB_DIR/prefork-py.sh"
prefork_py_scenario prefork-condvar-w8 8 16 3 1000 120

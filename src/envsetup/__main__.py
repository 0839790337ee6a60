from envsetup.cli import main

main()

Prints the ten digits and a newline
++++++++++[>+++++<-]>--<++++++++++[>.+<-]++++++++++.

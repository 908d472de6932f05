namespace OrleansZk.Core;
